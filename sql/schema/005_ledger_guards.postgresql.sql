-- Approved runs, their lines and the approval ledger cannot be changed or deleted:
-- triggers refuse every update, delete and truncate of them, whoever sends it.

create function socialbench_ledger_guard() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'settlement_approval' then
        if tg_op = 'INSERT' then
            -- an approval is chained onto the one before it, or it is not an approval
            if new.record_sha256 is null or new.approval_no <> (select coalesce(max(approval_no), 0) + 1 from settlement_approval)
                or new.previous_sha256 is distinct from (select record_sha256 from settlement_approval where approval_no = new.approval_no - 1) then
                raise exception 'socialbench: an approval must carry its hash and chain onto the last approval: approved runs are final';
            end if;
            return new;
        end if;
        raise exception 'socialbench: % is append-only: approved runs are final', tg_table_name;
    end if;
    if tg_table_name in ('settlement_scope', 'settlement_ledger_origin', 'settlement_legacy_duplicate') then
        if tg_op = 'INSERT' and tg_table_name = 'settlement_scope' then
            return new;
        end if;
        raise exception 'socialbench: % is append-only: approved runs are final', tg_table_name;
    end if;
    if tg_table_name = 'settlement_run' then
        if tg_op <> 'INSERT' and old.status = 'approved' then
            raise exception 'socialbench: settlement run % is approved: approved runs are final', old.run_id;
        end if;
        if tg_op <> 'DELETE' and new.status = 'approved'
            and not exists (select 1 from settlement_approval a where a.run_id = new.run_id) then
            raise exception 'socialbench: run % has no approval in settlement_approval: approved runs are final', new.run_id;
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

create trigger settlement_approval_final before insert or update or delete on settlement_approval
    for each row execute function socialbench_ledger_guard();
create trigger settlement_scope_final before update or delete on settlement_scope
    for each row execute function socialbench_ledger_guard();
create trigger settlement_ledger_origin_final before insert or update or delete on settlement_ledger_origin
    for each row execute function socialbench_ledger_guard();
create trigger settlement_legacy_duplicate_final before insert or update or delete on settlement_legacy_duplicate
    for each row execute function socialbench_ledger_guard();
create trigger settlement_run_final before insert or update or delete on settlement_run
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
create trigger settlement_ledger_origin_no_truncate before truncate on settlement_ledger_origin
    for each statement execute function socialbench_ledger_no_truncate();
create trigger settlement_legacy_duplicate_no_truncate before truncate on settlement_legacy_duplicate
    for each statement execute function socialbench_ledger_no_truncate();
