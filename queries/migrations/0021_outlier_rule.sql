-- The outlier rule of docs/quality.md, written once for the queries that apply it: the Data
-- quality page's Outliers tab (queries/quality_outliers.sql, over each series' list of
-- values for its count and over the rows it lists) and an upload's warnings
-- (queries/quality_upload_outliers.sql). PostgreSQL runs the same text: each call is
-- replaced by the macro's body (monitoring/db/dialect.py).
--
-- The modified z-score of the value x in a series of n values with this median, median
-- absolute deviation (mad) and mean absolute deviation (mean_ad): 0.6745 (x - median) / mad,
-- or where the MAD is 0 (x - median) / (1.2533 mean_ad), as Iglewicz and Hoaglin suggest;
-- none for a series of fewer than five values, or of values all equal.
create or replace macro modified_z(x, n, median, mad, mean_ad) as
    case
        when n < 5 then null
        when mad > 0 then 0.6745 * (x - median) / mad
        when mean_ad > 0 then (x - median) / (1.2533 * mean_ad)
    end;

-- Whether a value with modified z-score z is flagged: beyond the threshold either way, or
-- outside its indicator's min_value / max_value (NULL: no bound).
create or replace macro outlier_flagged(z, x, threshold, min_value, max_value) as
    coalesce(abs(z) > threshold, false)
    or coalesce(x < min_value, false)
    or coalesce(x > max_value, false);
