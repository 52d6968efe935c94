// One workflow per device and deadline (id `device-exchange-<deviceId>-<dueAt>`), started by the
// device workflow through the outbox when the deadline comes within the organisation's lead time:
// the unit's tenant is offered the technician's slots (appointment request in the portal, or a letter
// without an account), reminded after 7 days without an answer, and the managers are told after 14;
// the technician's recorded exchange (signal from the device workflow) ends it, or it is withdrawn as
// no longer needed when the device's deadline moved (signal from the device workflow).
//
// VERSIONING: guard changes with patched(). Changes so far need none: the withdrawal runs only after
// the `deviceExchangeWithdrawn` signal, which no history recorded before it contains. Patches:
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  DEVICE_EXCHANGE_GONE,
  DEVICE_EXCHANGE_OBLIGATION,
  EXCHANGE_ANSWER_WITHIN_DAYS,
  EXCHANGE_REMIND_AFTER_DAYS,
  deviceExchangeDedupeKey,
  type DeviceExchangeInput,
  type DeviceExchangeState,
  type DeviceExchangeStatus,
  type OpenedExchange,
} from '../domain/contracts/device-exchange';
import { deviceExchangeStatus, deviceExchangeWithdrawn, deviceExchanged } from './shared/device-exchange';
import { SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';

const { openDeviceExchange, deviceExchangeAnswered, remindDeviceExchange, escalateDeviceExchange, withdrawDeviceExchange } =
  proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes', // a letter is rendered as a PDF
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      nonRetryableErrorTypes: [DEVICE_EXCHANGE_GONE],
    },
  });

const DAY_MS = 86_400_000;

function isGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === DEVICE_EXCHANGE_GONE;
}

export async function deviceExchange(input: DeviceExchangeInput): Promise<DeviceExchangeStatus> {
  trackOverdue();
  const { deviceId, dueAt } = input;
  let opened: OpenedExchange | null = null;
  let answered = false;
  let reminded = false;
  let escalated = false;
  let gone = false;
  let exchangedAt: string | null = null;
  let withdrawnFor: string | null = null;

  const state = (): DeviceExchangeState =>
    gone
      ? 'gone'
      : exchangedAt !== null
        ? 'exchanged'
        : withdrawnFor !== null
          ? 'withdrawn'
          : escalated
            ? 'escalated'
            : answered
              ? 'answered'
              : 'offered';
  const status = (): DeviceExchangeStatus => ({
    deviceId,
    dueAt,
    state: state(),
    channel: opened?.channel ?? null,
    appointmentId: opened?.appointmentId ?? null,
    letterDocumentId: opened?.letterDocumentId ?? null,
    reminded,
    escalated,
    exchangedAt,
    withdrawnFor,
  });
  const publish = () =>
    upsertSearchAttributes([
      { key: SA.obligation, value: DEVICE_EXCHANGE_OBLIGATION },
      { key: SA.device, value: String(deviceId) },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.unit, value: String(input.unitId) },
      { key: SA.dueAt, value: new Date(Date.parse(`${dueAt}T00:00:00Z`)) },
      { key: SA.state, value: state() },
      { key: SA.late, value: escalated },
    ]);
  setHandler(deviceExchangeStatus, status);
  // Whichever comes first ends the offer: the recorded exchange, or the withdrawal.
  setHandler(deviceExchanged, ({ replacedAt }) => {
    if (withdrawnFor === null) exchangedAt ??= replacedAt;
  });
  setHandler(deviceExchangeWithdrawn, ({ dueAt: next }) => {
    if (exchangedAt === null) withdrawnFor ??= next;
  });

  try {
    publish();
    const offeredAtMs = Date.now();
    opened = await openDeviceExchange({ ...input, offeredAtMs, dedupeKey: deviceExchangeDedupeKey(deviceId, dueAt, 'offer') });
    // The tenant answers in the portal; a letter's answer comes by phone or post, which the managers take.
    const watchesAnswer = opened.channel === 'portal';
    const remindAt = offeredAtMs + EXCHANGE_REMIND_AFTER_DAYS * DAY_MS;
    const escalateAt = offeredAtMs + EXCHANGE_ANSWER_WITHIN_DAYS * DAY_MS;
    const done = () => exchangedAt !== null || withdrawnFor !== null;

    if (watchesAnswer && !(await condition(done, remindAt - Date.now()))) {
      answered = await deviceExchangeAnswered({ appointmentId: opened.appointmentId! });
      if (!answered) {
        await remindDeviceExchange({
          ...input,
          appointmentId: opened.appointmentId!,
          dedupeKey: deviceExchangeDedupeKey(deviceId, dueAt, 'reminder'),
        });
        reminded = true;
      }
      publish();
    }
    if (!answered && opened.channel !== 'none' && !(await condition(done, Math.max(0, escalateAt - Date.now())))) {
      answered = watchesAnswer && (await deviceExchangeAnswered({ appointmentId: opened.appointmentId! }));
      if (!answered) {
        await escalateDeviceExchange({
          ...input,
          channel: opened.channel,
          dedupeKey: deviceExchangeDedupeKey(deviceId, dueAt, 'escalation'),
        });
        escalated = true;
      }
      publish();
    }
    await condition(done);
    if (withdrawnFor !== null) {
      await withdrawDeviceExchange({
        ...input,
        channel: opened.channel,
        appointmentId: opened.appointmentId,
        nextDueAt: withdrawnFor,
        dedupeKey: deviceExchangeDedupeKey(deviceId, dueAt, 'withdrawal'),
      });
    }
    publish();
    await condition(allHandlersFinished);
    return status();
  } catch (error) {
    if (!isGone(error)) throw error;
    log.warn('Device no longer exists; ending its exchange offer', { deviceId, dueAt });
    gone = true;
    publish();
    return status();
  }
}
