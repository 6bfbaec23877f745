-- Rule not_above (docs/quality.md): indicator $numerator not above indicator $denominator in
-- the same quarter and region (their region values, from the stored copy of indicator_region_values), up to $period.
-- $limit: the first rows only (NULL: all); `violations` counts them all, on every row.
select
    n.indicator_code || ' / ' || d.indicator_code as subject,
    n.period,
    n.region_code,
    '' as org_id,
    n.value as left_value,
    d.value as right_value,
    count(*) over () as violations
from indicator_region_values_stored as n
join indicator_region_values_stored as d
    on d.period = n.period and d.region_code = n.region_code
    and d.indicator_code = $denominator
where n.indicator_code = $numerator
  and n.period <= $period
  and n.value > d.value + $tolerance
order by n.period, n.region_code
limit $limit
