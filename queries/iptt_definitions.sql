-- Each indicator's means of verification (the logframe's), for the IPTT.
select indicator_code, means_of_verification
from indicators
order by indicator_code
