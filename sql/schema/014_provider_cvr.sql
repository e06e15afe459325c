-- Settlements as a municipality runs them (issue 13), first part: the provider's CVR
-- number, for the statement and the payment file. Optional in providers.csv; eight digits
-- passing the modulus-11 check (socialbench/cvr.py), checked by the loader.
alter table providers add column cvr varchar;
