-- Rule disbursed_within_award (docs/quality.md): a grant's disbursements (in its own
-- currency, dated up to $as_of) are not above its award.
-- $limit: the first rows only (NULL: all); `violations` counts them all, on every row.
select
    g.grant_id as subject,
    period_of(max(t.date)) as period,
    coalesce(g.region_code, o.region_code, '') as region_code,
    g.org_id,
    cast(sum(t.amount) as double) as left_value,
    cast(any_value(g.amount) as double) as right_value,
    any_value(g.currency) as currency,
    count(*) over () as violations
from grants as g
join transactions as t
    on t.grant_id = g.grant_id and t.kind = 'disbursement' and t.currency = g.currency
    and t.date <= $as_of
left join organisations as o on o.org_id = g.org_id
group by g.grant_id, g.region_code, o.region_code, g.org_id
having sum(t.amount) > any_value(g.amount) + $tolerance
order by g.grant_id
limit $limit
