-- Rows of an upload of indicator_targets (temp table upload_rows: new or changed rows) that
-- would change a target of an approved quarter (docs/quality.md); as
-- quality_locked_indicator_values.
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
        case when s.indicator_code is null then ['target'] else list_filter([
            case when r.target is distinct from s.target then 'target' end,
            case when r.revision_reason is distinct from s.revision_reason
                then 'revision_reason' end
        ], lambda c: c is not null) end as columns
    from in_approved as r
    left join indicator_targets as s
        on s.indicator_code = r.indicator_code and s.period = r.period
        and s.region_code = r.region_code
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
