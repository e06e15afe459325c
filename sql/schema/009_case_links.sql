-- Case work, second part (docs/case-work.md): the case that led to a grant, and the
-- municipality that runs a provider itself. Both optional in the input files.
alter table grants add column case_id varchar;
alter table providers add column owner_municipality_code integer;
