-- What donor views must protect, per indicator: sensitive indicators are never shown to a
-- donor; values of count indicators (unit 'number') are treated as counts of people and
-- small ones are suppressed (docs/access.md).
select
    indicator_code,
    sensitive,
    unit = 'number' as counts_people
from indicators
order by indicator_code
