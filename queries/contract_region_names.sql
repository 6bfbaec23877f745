-- Stored names of every region, for recognising region names in uploaded files.
select region_code, name_en, name_uz, name_ru
from regions
order by region_code
