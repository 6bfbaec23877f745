-- Every English text of the data that has Russian and Uzbek versions (docs/translations.md):
-- region names, indicator, grant and milestone titles, budget categories. `code` is the
-- row's key (for a budget category: the English category itself). Read by
-- monitoring/reports/names.py, which shows a page's data in the reader's language.
select 'region' as kind, region_code as code, name_en as en, name_ru as ru, name_uz as uz
from regions
union all
select 'indicator', indicator_code, title, title_ru, title_uz from indicators
union all
select 'grant', grant_id, title, title_ru, title_uz from grants
union all
select 'milestone', milestone_id, title, title_ru, title_uz from milestones
union all
select 'category', category, category,
    max(nullif(trim(category_ru), '')), max(nullif(trim(category_uz), ''))
from budget
group by category
order by kind, code
