-- Approved runs, their lines and the approval ledger cannot be changed or deleted:
-- triggers refuse every update, delete and truncate of them, whoever sends it.

create function socialbench_ledger_guard() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'settlement_approval' or tg_table_name = 'settlement_scope' then
        raise exception 'socialbench: % is append-only: approved runs are final', tg_table_name;
    end if;
    if tg_table_name = 'settlement_run' then
        if old.status = 'approved' then
            raise exception 'socialbench: settlement run % is approved: approved runs are final', old.run_id;
        end if;
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    -- settlement_line: no line of an approved run may be added, changed or removed
    if tg_op <> 'INSERT' and exists (select 1 from settlement_run r where r.run_id = old.run_id and r.status = 'approved') then
        raise exception 'socialbench: lines of approved run % are final', old.run_id;
    end if;
    if tg_op <> 'DELETE' and exists (select 1 from settlement_run r where r.run_id = new.run_id and r.status = 'approved') then
        raise exception 'socialbench: lines of approved run % are final', new.run_id;
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;

create function socialbench_ledger_no_truncate() returns trigger language plpgsql as $$
begin
    raise exception 'socialbench: % cannot be truncated: approved runs are final', tg_table_name;
end
$$;

create trigger settlement_approval_final before update or delete on settlement_approval
    for each row execute function socialbench_ledger_guard();
create trigger settlement_scope_final before update or delete on settlement_scope
    for each row execute function socialbench_ledger_guard();
create trigger settlement_run_final before update or delete on settlement_run
    for each row execute function socialbench_ledger_guard();
create trigger settlement_line_final before insert or update or delete on settlement_line
    for each row execute function socialbench_ledger_guard();

create trigger settlement_approval_no_truncate before truncate on settlement_approval
    for each statement execute function socialbench_ledger_no_truncate();
create trigger settlement_scope_no_truncate before truncate on settlement_scope
    for each statement execute function socialbench_ledger_no_truncate();
create trigger settlement_run_no_truncate before truncate on settlement_run
    for each statement execute function socialbench_ledger_no_truncate();
create trigger settlement_line_no_truncate before truncate on settlement_line
    for each statement execute function socialbench_ledger_no_truncate();
