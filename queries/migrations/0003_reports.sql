-- Reports donors expect (docs/reports.md): the IPTT workbook, the PDF report and the IATI file.
--
-- indicator_values.deviation_narrative: an optional explanation of over- or under-performance,
-- written for the donor (shown in the IPTT and the PDF report); the IPTT's check asks for one
-- where an indicator's % of target achieved is more than 15 points from what was expected.
-- share_links.downloads: what the link's donor may download: 'tables' (the CSV and Excel
-- files of a table shown) and 'reports' (the IPTT workbook, the PDF report, the IATI file);
-- an empty list: nothing. Links made before keep both, as before.
alter table indicator_values add column deviation_narrative varchar;

alter table share_links add column downloads varchar[] default ['tables', 'reports'];
