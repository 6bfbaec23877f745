-- Rows of an upload of milestones (temp table upload_rows: new or changed rows) that would
-- change a milestone of an approved quarter (docs/quality.md). A milestone is in the quarter
-- of its date (achieved_on, else planned_on) and its region (none: only an approval of the
-- whole programme locks it). A changed row is judged by its stored and its new date.
with touched as (
    select
        r.line,
        period_of(coalesce(r.achieved_on, r.planned_on)) as new_period,
        coalesce(r.region_code, '') as new_region,
        case when s.milestone_id is null then null
            else period_of(coalesce(s.achieved_on, s.planned_on)) end as old_period,
        coalesce(s.region_code, '') as old_region,
        case when s.milestone_id is null then ['status'] else list_filter([
            case when r.title is distinct from s.title then 'title' end,
            case when r.stage is distinct from s.stage then 'stage' end,
            case when r.level is distinct from s.level then 'level' end,
            case when r.audience is distinct from s.audience then 'audience' end,
            case when r.region_code is distinct from s.region_code then 'region_code' end,
            case when r.planned_on is distinct from s.planned_on then 'planned_on' end,
            case when r.achieved_on is distinct from s.achieved_on then 'achieved_on' end,
            case when r.status is distinct from s.status then 'status' end,
            case when r.outcome is distinct from s.outcome then 'outcome' end,
            case when r.evidence_url is distinct from s.evidence_url then 'evidence_url' end,
            case when r.indicator_code is distinct from s.indicator_code then 'indicator_code' end
        ], lambda c: c is not null) end as columns
    from upload_rows as r
    left join milestones as s on s.milestone_id = r.milestone_id
    where r.is_new or r.is_changed
),

placed as (
    select line, columns, new_period as period, new_region as region_code from touched
    union
    select line, columns, old_period, old_region from touched where old_period is not null
)

select
    t.line,
    t.columns,
    min(t.period) as period,
    arg_min(t.region_code, t.period) as region_code,
    min(a.region_code) as approved_scope,
    arg_min(a.approved_by, a.region_code) as approved_by,
    arg_min(a.approved_at, a.region_code) as approved_at
from placed as t
join approved_scopes() as a
    on a.period = t.period and (a.region_code = '' or a.region_code = t.region_code)
group by t.line, t.columns
order by t.line
