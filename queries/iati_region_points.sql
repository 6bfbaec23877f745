-- The centre of each of the programme's regions (the regions table), for the locations of
-- its IATI activity. Parameters: $regions (the programme's region codes).
select region_code, lat, lon
from regions
where list_contains($regions, region_code)
order by region_code
