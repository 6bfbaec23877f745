-- Warnings of an upload of indicator_values (temp table upload_rows): new or changed values
-- that are outliers against the stored series of their indicator, sex and age group (at
-- least 5 other values; modified z-score beyond $threshold, as quality_outliers), or outside
-- the indicator's min_value / max_value (docs/quality.md).
with rows as (
    select r.line, r.indicator_code, r.period, r.region_code, r.org_id, r.sex, r.age_group,
        r.value, i.min_value, i.max_value
    from upload_rows as r
    join indicators as i using (indicator_code)
    where r.is_new or r.is_changed
),

series as (
    select r.line, s.value
    from rows as r
    join indicator_values as s
        on s.indicator_code = r.indicator_code and s.sex = r.sex and s.age_group = r.age_group
        and not (s.period = r.period and s.region_code = r.region_code and s.org_id = r.org_id)
),

centre as (
    select line, median(value) as median, count(*) as n from series group by line
),

spread as (
    select s.line, median(abs(s.value - c.median)) as mad, avg(abs(s.value - c.median)) as mean_ad
    from series as s join centre as c using (line)
    group by s.line
),

scored as (
    select
        r.*,
        c.median,
        c.n,
        case
            when c.n is null or c.n < 5 then null
            when d.mad > 0 then 0.6745 * (r.value - c.median) / d.mad
            when d.mean_ad > 0 then (r.value - c.median) / (1.2533 * d.mean_ad)
        end as z
    from rows as r
    left join centre as c using (line)
    left join spread as d using (line)
)

select *
from scored
where coalesce(abs(z) > $threshold, false)
   or coalesce(value < min_value, false)
   or coalesce(value > max_value, false)
order by line
