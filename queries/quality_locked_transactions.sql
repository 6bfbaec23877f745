-- Rows of an upload of transactions (temp table upload_rows: new or changed rows) that would
-- change a transaction of an approved quarter (docs/quality.md). A transaction is in the
-- quarter of its date and the region of its grant (the grant's region, else its
-- organisation's; no grant: no region, so only an approval of the whole programme locks it).
-- A changed row is judged by its stored date and region and by its new ones.
with regions_of_grants as (
    select g.grant_id, coalesce(g.region_code, o.region_code, '') as region_code
    from grants as g
    left join organisations as o using (org_id)
),

touched as (
    select
        r.line,
        period_of(r.date) as new_period,
        coalesce(rg.region_code, '') as new_region,
        case when s.transaction_id is null then null else period_of(s.date) end as old_period,
        coalesce(sg.region_code, '') as old_region,
        case when s.transaction_id is null then ['amount'] else list_filter([
            case when r.grant_id is distinct from s.grant_id then 'grant_id' end,
            case when r.date is distinct from s.date then 'date' end,
            case when r.kind is distinct from s.kind then 'kind' end,
            case when r.amount is distinct from s.amount then 'amount' end,
            case when r.currency is distinct from s.currency then 'currency' end,
            case when r.budget_line is distinct from s.budget_line then 'budget_line' end,
            case when r.description is distinct from s.description then 'description' end
        ], lambda c: c is not null) end as columns
    from upload_rows as r
    left join transactions as s on s.transaction_id = r.transaction_id
    left join regions_of_grants as rg on rg.grant_id = r.grant_id
    left join regions_of_grants as sg on sg.grant_id = s.grant_id
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
