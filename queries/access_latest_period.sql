-- The latest quarter with indicator values: up to where a donor's note lists the quarters
-- not yet approved (docs/quality.md).
select max(period) as period
from indicator_values
