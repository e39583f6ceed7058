-- The summary report counts a service where it was given: the region of the
-- activity or need it came from. Keeping that region on the record lets a
-- county's report read one index instead of joining every record to its source.
ALTER TABLE service_records ADD COLUMN region_id BIGINT REFERENCES regions (id);

UPDATE service_records SET region_id = (SELECT a.region_id FROM activities a WHERE a.id = service_records.source_id)
 WHERE source = 'activity';
UPDATE service_records SET region_id = (SELECT n.region_id FROM needs n WHERE n.id = service_records.source_id)
 WHERE source = 'need';

-- Only records that count (not replaced by a correction), ordered by when the
-- service began, carrying every column the report sums: an index-only scan.
CREATE INDEX service_records_report ON service_records (started_at, region_id, category, volunteer_id, minutes)
 WHERE corrected_by IS NULL;

CREATE INDEX activities_starts ON activities (starts_at);
CREATE INDEX needs_completed ON needs (completed_at);
CREATE INDEX care_visits_day ON care_visits (visited_on, recipient_id);
