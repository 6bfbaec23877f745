-- The programme's transactions for its IATI activity (docs/reports.md), up to the reporting
-- date, in their own currencies: one per quarter, type and currency, and for a small grant's
-- commitments and disbursements one per grant, quarter and currency with its grantee.
-- Parameters: $as_of; $unnamed_kinds (organisation kinds never named: a public file).
-- IATI transaction types: 2 outgoing commitment, 3 disbursement, 4 expenditure (refunds
-- counted against it). The transaction's date is the latest of those it adds up.
with params as (
    select cast($as_of as date) as as_of, cast($unnamed_kinds as varchar[]) as unnamed_kinds
),

typed as (
    select
        t.*,
        case t.kind
            when 'commitment' then 2
            when 'disbursement' then 3
            else 4
        end as transaction_type,
        case when t.kind = 'refund' then -t.amount else t.amount end as signed_amount,
        period_of(t.date) as period
    from transactions as t, params as p
    where t.date <= p.as_of
),

to_grants as (
    select
        t.transaction_type,
        t.period,
        t.currency,
        t.grant_id,
        org_shown_name(o.name, o.kind, r.name_en, p.unnamed_kinds) as receiver,
        sum(t.signed_amount) as amount,
        max(t.date) as date
    from typed as t
    join grants as g using (grant_id)
    left join organisations as o on o.org_id = g.org_id
    left join regions as r on r.region_code = coalesce(g.region_code, o.region_code),
        params as p
    where t.transaction_type in (2, 3)
    group by all
),

others as (
    select
        transaction_type,
        period,
        currency,
        cast(null as varchar) as grant_id,
        cast(null as varchar) as receiver,
        sum(signed_amount) as amount,
        max(date) as date
    from typed
    where transaction_type = 4
        or not exists (select 1 from grants as g where g.grant_id = typed.grant_id)
    group by all
),

final as (
    select * from to_grants
    union all
    select * from others
)

select * from final
order by transaction_type, period, grant_id nulls first, currency
