-- The data version a report file is made from (docs/reports.md): the latest upload batch, how
-- many batches were undone, and when the latest of those changes was made (the file's time:
-- never the time it was made, so the same data gives the same bytes).
with events as (
    select uploaded_at as changed_at from upload_batches
    union all
    select undone_at as changed_at from upload_batches where undone_at is not null
),

final as (
    select
        (select coalesce(max(batch_id), 0) from upload_batches) as batch,
        (select count(undone_at) from upload_batches) as undone,
        (select max(changed_at) from events) as changed_at
)

select * from final
