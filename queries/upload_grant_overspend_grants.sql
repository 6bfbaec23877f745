-- Uploaded grants whose stored spending (expenditure less refunds, in the grant's currency)
-- exceeds the award as uploaded (a warning, not an error).
-- Reads the temp table upload_rows (the checked grants of the file being uploaded).
with uploaded as (
    select line, grant_id, amount, currency
    from upload_rows
),

spent as (
    select
        u.grant_id,
        sum(case t.kind when 'expenditure' then t.amount when 'refund' then -t.amount end)
            as spent
    from uploaded u
    join transactions t on t.grant_id = u.grant_id and t.currency = u.currency
    group by u.grant_id
),

final as (
    select u.line, u.grant_id, s.spent, u.amount as awarded, u.currency
    from uploaded u
    join spent s using (grant_id)
    where s.spent > u.amount
)

select * from final order by line
