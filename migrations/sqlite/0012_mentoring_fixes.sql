-- A newly discharged veteran has one open mentorship at a time. A partial
-- unique index keeps that true even when two staff pair him at the same moment.
CREATE UNIQUE INDEX mentorships_one_open ON mentorships (mentee_id) WHERE outcome = 'none';

-- One waiting application per person, even when the public form and the staff
-- enter the same veteran at the same moment.
CREATE UNIQUE INDEX applications_one_pending ON applications (id_hash) WHERE status = 'pending';
