-- The scopes approved now (region_code '' = the whole programme): what a donor's share link
-- may show (docs/access.md, docs/quality.md).
select period, region_code
from approved_scopes()
order by period, region_code
