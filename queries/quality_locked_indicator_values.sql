-- Rows of an upload of indicator_values (the temp table upload_rows: new or changed rows)
-- that would change a value of an approved quarter (docs/quality.md): the line, the columns
-- it changes, the quarter and region, and the approval that locks it (the whole programme's
-- first, region_code ''). One row per line, in line order.
with approved as (
    select * from approved_scopes()
),

-- Only rows of an approved quarter can be locked: the stored rows are read for those alone
-- (an upload into quarters not approved, the usual case, reads none).
in_approved as (
    select r.*
    from upload_rows as r
    semi join approved as a
        on a.period = r.period and (a.region_code = '' or a.region_code = r.region_code)
    where r.is_new or r.is_changed
),

touched as (
    select
        r.line,
        r.period,
        r.region_code,
        case when s.indicator_code is null then ['value'] else list_filter([
            case when r.value is distinct from s.value then 'value' end,
            case when r.comment is distinct from s.comment then 'comment' end,
            case when r.source is distinct from s.source then 'source' end,
            case when r.deviation_narrative is distinct from s.deviation_narrative
                then 'deviation_narrative' end
        ], lambda c: c is not null) end as columns
    from in_approved as r
    left join indicator_values as s
        on s.indicator_code = r.indicator_code and s.period = r.period
        and s.region_code = r.region_code and s.org_id = r.org_id
        and s.sex = r.sex and s.age_group = r.age_group
)

select
    t.line,
    t.columns,
    t.period,
    t.region_code,
    min(a.region_code) as approved_scope,
    arg_min(a.approved_by, a.region_code) as approved_by,
    arg_min(a.approved_at, a.region_code) as approved_at
from touched as t
join approved as a
    on a.period = t.period and (a.region_code = '' or a.region_code = t.region_code)
group by all
order by t.line
