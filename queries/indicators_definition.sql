-- One indicator as the logframe defines it. Parameters: $indicator (code).
select *
from indicators
where indicator_code = $indicator
