-- The quarters approved now, per scope (region_code '' = the whole programme), with who
-- approved them and when (docs/quality.md).
select a.period, a.region_code, r.name_en as region_name, a.approved_by, a.approved_at
from approved_scopes() as a
left join regions as r on r.region_code = a.region_code
order by a.period, a.region_code
