-- The unit of every indicator (number or percent), for checking uploaded values.
select indicator_code, unit
from indicators
order by indicator_code
