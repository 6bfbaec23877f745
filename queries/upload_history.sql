-- Every upload batch, newest first: what was loaded, by whom, when, and whether it was undone.
with batches as (
    select * from upload_batches
),

final as (
    select
        batch_id,
        table_name,
        file_name,
        source,
        uploaded_by,
        uploaded_at,
        rows_inserted,
        rows_updated,
        rows_unchanged,
        rows_rejected,
        status,
        undone_at,
        undone_by,
        sha256
    from batches
)

select * from final
order by batch_id desc
limit $limit
