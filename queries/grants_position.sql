-- Small grants as of a reporting date: one row per grant (level 'grant'), then totals per
-- region, per grantee and in all (levels 'region', 'grantee', 'total') (docs/spending.md).
-- Parameters:
--   $as_of       reporting date: grants awarded later and later transactions are ignored
--   $currency    reporting currency: the award at the rate of its month, each transaction
--                at the rate of its month (money_in, transactions_in in queries/schema.sql;
--                transactions summed per quarter by spending_to, migration 0012)
--   $regions     list of region codes, or NULL for all (a grant's region, else its
--                organisation's region)
--   $unnamed_kinds  organisation kinds never named (a donor view), or NULL
--   $stale_days  a disbursement with no expenditure on or after its date, this many days or
--                more before the reporting date, is flagged
-- Spent is expenditure less refunds; balance is awarded less spent. In the reporting currency
-- the balance includes exchange-rate differences; balance_in_grant_currency does not, and
-- whether a grant spent beyond its award is decided in the grant's own currency, so exchange
-- rates never raise or hide the flag. Status follows the reporting date: 'cancelled';
-- 'closed' once its end date has passed (or without one); 'past_end' when the end date has
-- passed and it is not closed; otherwise 'active'. Totals leave cancelled grants out.
with params as (
    select
        cast($as_of as date) as as_of,
        cast($regions as varchar[]) as regions,
        cast($stale_days as integer) as stale_days,
        cast($currency as varchar) as currency,
        cast($unnamed_kinds as varchar[]) as unnamed_kinds
),

scoped as (
    select
        g.grant_id,
        g.org_id,
        org_shown_text(g.title, o.kind, p.unnamed_kinds) as title,
        g.awarded_on,
        g.end_on,
        g.amount,
        g.currency,
        g.status,
        org_shown_name(o.name, o.kind, r.name_en, p.unnamed_kinds) as grantee,
        coalesce(g.region_code, o.region_code) as region_code,
        r.name_en as region_name
    from grants as g
    left join organisations as o on o.org_id = g.org_id
    left join regions as r on r.region_code = coalesce(g.region_code, o.region_code), params as p
    where g.awarded_on <= p.as_of
      and (p.regions is null or list_contains(p.regions, coalesce(g.region_code, o.region_code)))
),

awards as (
    select
        s.grant_id,
        money_in(s.amount, s.currency, p.currency, src.per_usd, dst.per_usd) as awarded
    from scoped as s
    cross join params as p
    left join exchange_rates as src
        on src.currency = s.currency and src.currency <> 'USD'
        and src.month = strftime(s.awarded_on, '%Y-%m')
    left join exchange_rates as dst
        on dst.currency = p.currency and dst.currency <> 'USD'
        and dst.month = strftime(s.awarded_on, '%Y-%m')
),

-- Each grant's flows in every currency, one pass over the spending: the reporting currency's
-- are the grant's flows, its own currency's its spending beyond the award is judged in (two
-- passes, one of them joined to the grants, took half of this query on PostgreSQL).
per_currency as (
    select
        t.grant_id,
        t.to_currency,
        sum(t.amount_in) filter (where t.kind = 'commitment') as committed,
        sum(t.amount_in) filter (where t.kind = 'disbursement') as disbursed,
        sum(t.amount_in) filter (where t.kind = 'expenditure') as expenditure,
        sum(t.amount_in) filter (where t.kind = 'refund') as refunds,
        sum(t.spent_in) as spent,
        sum(t.spent_in) filter (where t.kind in ('expenditure', 'refund')) as spent_kinds,
        sum(t.without_rate) as transactions_without_rate,
        max(t.last_on) filter (where t.kind = 'expenditure') as last_expenditure_on
    from spending_to(cast($as_of as date)) as t
    where t.grant_id is not null
    group by t.grant_id, t.to_currency
),

flows as (
    select * from per_currency where to_currency = $currency
),

own_currency as (
    select s.grant_id, c.spent_kinds as spent_own
    from scoped as s
    join per_currency as c on c.grant_id = s.grant_id and c.to_currency = s.currency
),

-- each grant's last expenditure up to the reporting date, as flows found it (every
-- transaction is in each currency's rows once: no second scan of the transactions)
last_expenditure as (
    select grant_id, last_expenditure_on as last_on
    from flows
),

stale as (
    select
        d.grant_id,
        count(*) as stale_disbursements,
        min(d.date) as oldest_stale_disbursement_on
    from transactions as d
    cross join params as p
    left join last_expenditure as e on e.grant_id = d.grant_id
    where d.kind = 'disbursement'
      and d.grant_id is not null
      and d.date <= p.as_of
      and date_diff('day', d.date, p.as_of) >= p.stale_days
      -- no expenditure between the disbursement and the reporting date: the grant's last
      -- expenditure up to that date came before it (one pass, not a range join per row)
      and (e.last_on is null or e.last_on < d.date)
    group by d.grant_id
),

position as (
    select
        s.*,
        case
            when s.status = 'cancelled' then 'cancelled'
            when s.status = 'closed' and coalesce(s.end_on, p.as_of) <= p.as_of then 'closed'
            when s.end_on < p.as_of then 'past_end'
            else 'active'
        end as status_as_of,
        a.awarded,
        coalesce(f.committed, 0) as committed,
        coalesce(f.disbursed, 0) as disbursed,
        coalesce(f.expenditure, 0) as expenditure,
        coalesce(f.refunds, 0) as refunds,
        coalesce(f.spent, 0) as spent,
        a.awarded - coalesce(f.spent, 0) as balance,
        coalesce(o.spent_own, 0) as spent_own,
        s.amount - coalesce(o.spent_own, 0) as balance_own,
        coalesce(o.spent_own, 0) > s.amount as beyond_award,
        coalesce(st.stale_disbursements, 0) as stale_disbursements,
        st.oldest_stale_disbursement_on,
        date_diff('day', st.oldest_stale_disbursement_on, p.as_of) as days_since_stale,
        f.last_expenditure_on,
        coalesce(f.transactions_without_rate, 0)
            + case when a.awarded is null then 1 else 0 end as amounts_without_rate
    from scoped as s
    cross join params as p
    left join awards as a on a.grant_id = s.grant_id
    left join flows as f on f.grant_id = s.grant_id
    left join own_currency as o on o.grant_id = s.grant_id
    left join stale as st on st.grant_id = s.grant_id
),

per_grant as (
    select
        'grant' as level,
        grant_id,
        title,
        org_id,
        grantee,
        region_code,
        region_name,
        awarded_on,
        end_on,
        status_as_of,
        currency as grant_currency,
        round(amount, 2) as award_in_grant_currency,
        round(spent_own, 2) as spent_in_grant_currency,
        round(balance_own, 2) as balance_in_grant_currency,
        1 as grants,
        round(awarded, 2) as awarded,
        round(committed, 2) as committed,
        round(disbursed, 2) as disbursed,
        round(expenditure, 2) as expenditure,
        round(refunds, 2) as refunds,
        round(spent, 2) as spent,
        round(balance, 2) as balance,
        case when awarded > 0 then cast(spent as double) / cast(awarded as double) end
            as spent_share,
        beyond_award,
        stale_disbursements,
        oldest_stale_disbursement_on,
        days_since_stale,
        last_expenditure_on,
        cast(amounts_without_rate as integer) as amounts_without_rate,
        cast(beyond_award as integer) as grants_beyond_award,
        cast(stale_disbursements > 0 as integer) as grants_with_stale_disbursements
    from position
),

totals as (
    select
        case
            when grouping(region_code) = 0 then 'region'
            when grouping(org_id) = 0 then 'grantee'
            else 'total'
        end as level,
        org_id,
        case when grouping(org_id) = 0 then any_value(grantee) end as grantee,
        region_code,
        case when grouping(region_code) = 0 then any_value(region_name) end as region_name,
        count(*) as grants,
        round(sum(awarded), 2) as awarded,
        round(sum(committed), 2) as committed,
        round(sum(disbursed), 2) as disbursed,
        round(sum(expenditure), 2) as expenditure,
        round(sum(refunds), 2) as refunds,
        round(sum(spent), 2) as spent,
        round(sum(balance), 2) as balance,
        case
            when sum(awarded) > 0 then cast(sum(spent) as double) / cast(sum(awarded) as double)
        end as spent_share,
        cast(sum(amounts_without_rate) as integer) as amounts_without_rate,
        cast(count(*) filter (where beyond_award) as integer) as grants_beyond_award,
        cast(count(*) filter (where stale_disbursements > 0) as integer)
            as grants_with_stale_disbursements
    from position
    where status_as_of <> 'cancelled'
    group by grouping sets ((region_code), (org_id), ())
)

select * from per_grant
union all by name
select * from totals
order by
    case level when 'grant' then 0 when 'region' then 1 when 'grantee' then 2 else 3 end,
    region_code,
    grantee,
    grant_id
