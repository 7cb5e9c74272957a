import { useState } from 'react';
import { Alert, Badge, Button, Checkbox, Group, Modal, SegmentedControl, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { liveArmPhrase, type KillSwitchLevel, type TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { modeSummary, killSwitchSummary, KILL_COLOR, LEVEL_LABEL, needsRearm } from './trading-words';

/**
 * The header's trading controls (spec §2, issue 16 item 1 and 3): whether the desk may send orders
 * (Monitor / Trade, per account) and the kill switch — both open the trading panel, where Trade is
 * one switch for SIM and PAPER accounts and a LIVE account is armed by typing its phrase.
 */
export function TradingControls() {
  const trading = useDeskStore((s) => s.trading);
  const killSwitch = useDeskStore((s) => s.killSwitch);
  const [open, setOpen] = useState(false);
  const mode = modeSummary(trading);
  const kill = killSwitchSummary(trading, killSwitch);
  return (
    <>
      <Tooltip label={mode.hint} multiline w={320}>
        <Button size="xs" style={{ flexShrink: 0 }} color={mode.color} variant={mode.trading ? 'filled' : 'default'} onClick={() => setOpen(true)} data-testid="trading-mode" data-mode={mode.trading ? 'trade' : 'monitor'}>
          {mode.label}
        </Button>
      </Tooltip>
      <Tooltip label={kill.hint} multiline w={320}>
        <Badge color={KILL_COLOR[kill.level]} variant={kill.level === 'active' ? 'light' : 'filled'} style={{ cursor: 'pointer', flexShrink: 0 }} onClick={() => setOpen(true)} data-testid="killswitch-badge" data-level={kill.level} tt="none">
          Kill: {LEVEL_LABEL[kill.level]}
        </Badge>
      </Tooltip>
      <Modal opened={open} onClose={() => setOpen(false)} title="Trading and kill switch" size={1000} data-testid="trading-panel">
        <TradingPanel accounts={trading} />
      </Modal>
    </>
  );
}

function TradingPanel({ accounts }: { accounts: TradingStateWire[] }) {
  const killSwitch = useDeskStore((s) => s.killSwitch);
  const halt = useCommand('killswitch.set');
  const globalLevel = killSwitch?.global.level ?? 'active';
  if (accounts.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="trading-empty">
        No account is known yet (the desk has not sent its trading state).
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <Text size="sm">
        <b>Monitor</b> is read-only: no order is ever sent. <b>Trade</b> lets manual actions, the monitoring cycle and strategies send orders through the gateway (kill switch, client order ids and reconciliation apply). A LIVE
        account must be armed every session by typing its phrase.
      </Text>
      <Table striped withTableBorder data-testid="trading-accounts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Account</Table.Th>
            <Table.Th>Venue</Table.Th>
            <Table.Th>Mode</Table.Th>
            <Table.Th>Kill switch</Table.Th>
            <Table.Th>Automation</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {accounts.map((a) => (
            <AccountRow key={a.account} a={a} />
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          All accounts: kill switch {LEVEL_LABEL[globalLevel]}
          {killSwitch?.global.reason ? ` (${killSwitch.global.reason})` : ''}
        </Text>
        <Button
          color="red"
          size="xs"
          disabled={globalLevel === 'halted'}
          loading={halt.pending}
          onClick={() => void halt.run({ account: '*', level: 'halted', reason: 'halt all from the header' })}
          data-testid="halt-all"
        >
          Halt all accounts
        </Button>
      </Group>
      {halt.error && (
        <Alert color="red" data-testid="halt-error">
          {halt.error.message}
        </Alert>
      )}
    </Stack>
  );
}

function AccountRow({ a }: { a: TradingStateWire }) {
  const setMode = useCommand('trading.set_mode');
  const setKill = useCommand('killswitch.set');
  const [arming, setArming] = useState(false);
  const [phrase, setPhrase] = useState('');
  const [kill, setKillDraft] = useState<{ level: KillSwitchLevel; reason: string; rearm: boolean } | null>(null);
  const error = setMode.error ?? setKill.error;
  const chooseMode = (mode: string) => {
    setMode.clear();
    if (mode === 'trade' && a.venue_mode === 'LIVE') {
      setArming(true);
      return;
    }
    void setMode.run({ account: a.account, mode: mode === 'trade' ? 'trade' : 'monitor' });
  };
  return (
    <>
      <Table.Tr data-testid={`trading-row-${a.account}`} data-mode={a.mode} data-kill={a.kill_switch}>
        <Table.Td>
          <Text size="sm" fw={600}>
            {a.account}
          </Text>
        </Table.Td>
        <Table.Td>
          <Badge color={a.venue_mode === 'LIVE' ? 'red' : a.venue_mode === 'PAPER' ? 'yellow' : 'blue'} variant="filled" radius="sm" style={{ minWidth: 'max-content' }}>
            {a.venue_mode}
          </Badge>
        </Table.Td>
        <Table.Td>
          <SegmentedControl
            size="xs"
            value={a.mode}
            onChange={chooseMode}
            disabled={setMode.pending}
            data={[
              { value: 'monitor', label: 'Monitor' },
              { value: 'trade', label: a.venue_mode === 'LIVE' ? 'Trade (arm LIVE)' : 'Trade' },
            ]}
            data-testid={`mode-switch-${a.account}`}
          />
        </Table.Td>
        <Table.Td>
          <SegmentedControl
            size="xs"
            value={a.kill_switch}
            color={KILL_COLOR[a.kill_switch]}
            onChange={(v) => setKillDraft({ level: v as KillSwitchLevel, reason: '', rearm: false })}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'reducing', label: 'Reducing' },
              { value: 'halted', label: 'Halted' },
            ]}
            data-testid={`kill-switch-${a.account}`}
          />
        </Table.Td>
        <Table.Td>
          <Text size="xs" c={a.automation_blocked ? 'orange' : 'teal'} data-testid={`automation-${a.account}`}>
            {a.automation_blocked ?? 'may act'}
          </Text>
        </Table.Td>
      </Table.Tr>
      {arming && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Alert color="red" title={`Arm LIVE trading on ${a.account}`} data-testid="arm-live">
              <Text size="sm" mb={6}>
                Orders on this account use real money. Type <b>{liveArmPhrase(a.account)}</b> to arm it for this session.
              </Text>
              <Group gap="xs">
                <TextInput size="xs" value={phrase} onChange={(e) => setPhrase(e.currentTarget.value)} placeholder={liveArmPhrase(a.account)} data-testid="arm-live-phrase" aria-label="confirmation phrase" />
                <Button
                  size="xs"
                  color="red"
                  disabled={phrase !== liveArmPhrase(a.account)}
                  loading={setMode.pending}
                  onClick={() =>
                    void setMode.run({ account: a.account, mode: 'trade', confirm: phrase }).then((o) => {
                      if (o.ok) {
                        setArming(false);
                        setPhrase('');
                      }
                    })
                  }
                  data-testid="arm-live-confirm"
                >
                  Arm LIVE
                </Button>
                <Button size="xs" variant="default" onClick={() => setArming(false)}>
                  Cancel
                </Button>
              </Group>
            </Alert>
          </Table.Td>
        </Table.Tr>
      )}
      {kill && kill.level !== a.kill_switch && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Alert color={KILL_COLOR[kill.level]} title={`Kill switch of ${a.account}: ${LEVEL_LABEL[a.kill_switch]} → ${LEVEL_LABEL[kill.level]}`} data-testid="kill-confirm">
              <Group gap="xs" align="flex-end">
                <TextInput size="xs" label="Why" value={kill.reason} onChange={(e) => setKillDraft({ ...kill, reason: e.currentTarget.value })} placeholder="at least 3 characters" data-testid="kill-reason" w={260} />
                {needsRearm(a.kill_switch, kill.level) && (
                  <Checkbox size="xs" label="I re-arm deliberately (logged)" checked={kill.rearm} onChange={(e) => setKillDraft({ ...kill, rearm: e.currentTarget.checked })} data-testid="kill-rearm" />
                )}
                <Button
                  size="xs"
                  color={KILL_COLOR[kill.level]}
                  disabled={kill.reason.trim().length < 3 || (needsRearm(a.kill_switch, kill.level) && !kill.rearm)}
                  loading={setKill.pending}
                  onClick={() =>
                    void setKill.run({ account: a.account, level: kill.level, reason: kill.reason.trim(), ...(needsRearm(a.kill_switch, kill.level) ? { rearm: true } : {}) }).then((o) => {
                      if (o.ok) setKillDraft(null);
                    })
                  }
                  data-testid="kill-apply"
                >
                  Set {LEVEL_LABEL[kill.level]}
                </Button>
                <Button size="xs" variant="default" onClick={() => setKillDraft(null)}>
                  Cancel
                </Button>
              </Group>
            </Alert>
          </Table.Td>
        </Table.Tr>
      )}
      {error && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Alert color="red" data-testid="trading-error">
              {error.message}
            </Alert>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
