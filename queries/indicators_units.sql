-- The unit of every indicator (number or percent), for checking uploaded values; in the
-- order of indicator codes that the outliers are listed in (outliers.first_outliers).
select indicator_code, unit
from indicators
order by indicator_code
