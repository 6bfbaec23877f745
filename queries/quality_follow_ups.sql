-- Values marked for follow-up (docs/quality.md), with the value stored now. $open_only: only
-- those still open: not closed, and the value not changed by a later upload.
select
    f.follow_up_id,
    f.indicator_code,
    f.period,
    f.region_code,
    f.org_id,
    f.sex,
    f.age_group,
    f.value as marked_value,
    v.value as current_value,
    f.note,
    f.marked_by,
    f.marked_at,
    f.closed_by,
    f.closed_at,
    f.close_note,
    case
        when f.closed_at is not null then 'closed'
        when v.value is distinct from f.value then 'changed'
        else 'open'
    end as state
from follow_ups as f
left join indicator_values as v
    on v.indicator_code = f.indicator_code and v.period = f.period
    and v.region_code = f.region_code and v.org_id = f.org_id
    and v.sex = f.sex and v.age_group = f.age_group
where not $open_only or (f.closed_at is null and v.value is not distinct from f.value)
order by f.follow_up_id desc
