-- When the data last changed, by whom, and whether the sample tables are loaded.
with committed as (
    select * from upload_batches where status = 'committed'
)

select
    (select max(uploaded_at) from committed) as last_updated,
    (select arg_max(uploaded_by, uploaded_at) from committed) as last_updated_by,
    (select count(*) from committed where source = 'sample') > 0 as has_sample_data,
    (select count(*) from committed where source <> 'sample') as uploads,
    (select max(period) from indicator_values) as latest_value_period
