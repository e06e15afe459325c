-- The lines of an approved run cannot be added, changed or removed: checked once per
-- statement over all the rows it touched (transition tables), instead of a query per line
-- (005 checked every line on its own; a national run writes about 100,000). The same
-- refusal, whoever sends the statement.

create function socialbench_ledger_lines_guard() returns trigger language plpgsql as $$
declare
    final_run varchar;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        select o.run_id into final_run from old_rows as o
            join settlement_run as r on r.run_id = o.run_id where r.status = 'approved' limit 1;
        if final_run is not null then
            raise exception 'socialbench: lines of approved run % are final', final_run;
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        select n.run_id into final_run from new_rows as n
            join settlement_run as r on r.run_id = n.run_id where r.status = 'approved' limit 1;
        if final_run is not null then
            raise exception 'socialbench: lines of approved run % are final', final_run;
        end if;
    end if;
    return null;
end
$$;

drop trigger settlement_line_final on settlement_line;

create trigger settlement_line_final_insert after insert on settlement_line
    referencing new table as new_rows
    for each statement execute function socialbench_ledger_lines_guard();
create trigger settlement_line_final_update after update on settlement_line
    referencing old table as old_rows new table as new_rows
    for each statement execute function socialbench_ledger_lines_guard();
create trigger settlement_line_final_delete after delete on settlement_line
    referencing old table as old_rows
    for each statement execute function socialbench_ledger_lines_guard();
