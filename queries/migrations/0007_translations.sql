-- Data in three languages (docs/translations.md, docs/data-contract.md): optional Russian
-- and Uzbek texts beside the English ones staff upload. A page in Russian or Uzbek shows
-- them, and the English text marked " [EN]" where one is empty (monitoring/reports/names.py).
-- Region names had name_ru and name_uz from the start.
alter table indicators add column title_ru varchar;
alter table indicators add column title_uz varchar;
alter table grants add column title_ru varchar;
alter table grants add column title_uz varchar;
alter table budget add column category_ru varchar;
alter table budget add column category_uz varchar;
alter table milestones add column title_ru varchar;
alter table milestones add column title_uz varchar;
