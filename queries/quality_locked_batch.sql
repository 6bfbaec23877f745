-- The rows a batch wrote (upload_changes of batch $batch) that lie in an approved quarter,
-- for refusing its undo (docs/quality.md): the row's line, key, quarter, region and the
-- approval that locks it. Indicator values and targets by their period; transactions and
-- milestones by the quarter of their date (stored and as written) and their region.
with written as (
    select
        c.line,
        c.row_key,
        c.table_name,
        unnest([c.new_row, coalesce(c.old_row, c.new_row)]) as row_json
    from upload_changes as c
    where c.batch_id = $batch
),

placed as (
    select
        w.line,
        w.row_key,
        case w.table_name
            when 'indicator_values' then w.row_json ->> '$.period'
            when 'indicator_targets' then w.row_json ->> '$.period'
            when 'transactions' then period_of(cast(w.row_json ->> '$.date' as date))
            when 'milestones' then period_of(cast(coalesce(
                w.row_json ->> '$.achieved_on', w.row_json ->> '$.planned_on') as date))
        end as period,
        case w.table_name
            when 'transactions' then coalesce(
                (select coalesce(g.region_code, o.region_code)
                 from grants as g left join organisations as o using (org_id)
                 where g.grant_id = w.row_json ->> '$.grant_id'), '')
            else coalesce(w.row_json ->> '$.region_code', '')
        end as region_code
    from written as w
    where w.table_name in ('indicator_values', 'indicator_targets', 'transactions', 'milestones')
)

select
    p.line,
    p.row_key,
    p.period,
    p.region_code,
    min(a.region_code) as approved_scope,
    arg_min(a.approved_by, a.region_code) as approved_by,
    arg_min(a.approved_at, a.region_code) as approved_at
from placed as p
join approved_scopes() as a
    on a.period = p.period and (a.region_code = '' or a.region_code = p.region_code)
group by all
order by p.line nulls last, p.row_key
