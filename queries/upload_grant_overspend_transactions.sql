-- Grants whose spending (expenditure less refunds, in the grant's currency) would exceed
-- their award once the uploaded transactions are stored (a warning, not an error).
-- Reads the temp table upload_rows (the checked transactions of the file being uploaded).
with uploaded as (
    select line, transaction_id, grant_id, kind, amount, currency
    from upload_rows
),

merged as (
    select line, grant_id, kind, amount, currency
    from uploaded
    union all
    select null as line, t.grant_id, t.kind, t.amount, t.currency
    from transactions t
    anti join uploaded u using (transaction_id)
),

spent as (
    select
        m.grant_id,
        sum(case m.kind when 'expenditure' then m.amount when 'refund' then -m.amount end)
            as spent,
        max(m.line) as line
    from merged m
    join grants g on g.grant_id = m.grant_id and g.currency = m.currency
    group by m.grant_id
    having max(m.line) is not null
),

final as (
    select s.line, s.grant_id, s.spent, g.amount as awarded, g.currency
    from spent s
    join grants g using (grant_id)
    where s.spent > g.amount
)

select * from final order by line
