-- Budget categories a page can be filtered by, in alphabetical order.
select distinct category
from budget
order by category
