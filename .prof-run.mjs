var __defProp = Object.defineProperty;
var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
var __publicField = (obj, key, value) => {
  __defNormalProp(obj, typeof key !== "symbol" ? key + "" : key, value);
  return value;
};

// scripts/bench/billing.ts
import { cpus, loadavg } from "node:os";

// domain/dates.ts
var MIN_YEAR = 1;
var MAX_YEAR = 9999;
var DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
function isLeapYear(year) {
  return year % 4 === 0 && year % 100 !== 0 || year % 400 === 0;
}
function daysInMonth(year, month) {
  if (month === 2)
    return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
function isValidParts({ year, month, day }) {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR && Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}
function partsOf(value) {
  if (typeof value !== "string")
    return null;
  const match = DATE_PATTERN.exec(value);
  if (!match)
    return null;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isValidParts(parts) ? parts : null;
}
function isDate(value) {
  return partsOf(value) !== null;
}
function parseDate(date) {
  const parts = partsOf(date);
  if (!parts)
    throw new RangeError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return parts;
}
function formatDate(parts) {
  if (!isValidParts(parts)) {
    throw new RangeError(`date out of range: ${parts.year}-${parts.month}-${parts.day}`);
  }
  const pad = (n, width) => String(n).padStart(width, "0");
  return `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}`;
}
function assertInteger(n, what) {
  if (!Number.isInteger(n))
    throw new RangeError(`${what} must be an integer, got ${n}`);
}
function toDayNumber({ year, month, day }) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
function fromDayNumber(dayNumber) {
  const z2 = dayNumber + 719468;
  const era = Math.floor(z2 / 146097);
  const dayOfEra = z2 - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
function addDays(date, days) {
  assertInteger(days, "days");
  return formatDate(fromDayNumber(toDayNumber(parseDate(date)) + days));
}
function addMonths(date, months) {
  assertInteger(months, "months");
  const { year, month, day } = parseDate(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  return formatDate({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}
function addYears(date, years) {
  assertInteger(years, "years");
  return addMonths(date, years * 12);
}
function daysBetween(from, to) {
  return toDayNumber(parseDate(to)) - toDayNumber(parseDate(from));
}
function compareDates(a, b) {
  return Math.sign(daysBetween(b, a));
}

// domain/billing/ratio.ts
function gcd(a, b) {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n)
    [x, y] = [y, x % y];
  return x;
}
var DECIMAL_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;
var _Ratio = class {
  /** Always reduced, with a positive denominator, so equal values have equal fields. */
  constructor(numerator, denominator) {
    this.numerator = numerator;
    this.denominator = denominator;
  }
  static of(numerator, denominator = 1n) {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === 0n)
      throw new RangeError("division by zero");
    if (d < 0n)
      [n, d] = [-n, -d];
    const divisor = gcd(n, d);
    return new _Ratio(n / divisor, d / divisor);
  }
  /**
   * The decimal a JSON number was written as (its shortest round-trip form), not the binary double:
   * 0.7 is 7/10 here, so input like 0.1 + 0.2 = 0.3 holds exactly.
   */
  static fromNumber(value) {
    if (!Number.isFinite(value))
      throw new RangeError(`not a finite number: ${value}`);
    const match = DECIMAL_NUMBER.exec(String(value));
    if (!match)
      throw new RangeError(`unexpected number format: ${value}`);
    const [, sign, whole, fraction = "", exponent = "0"] = match;
    const scale = Number(exponent) - fraction.length;
    const digits = BigInt(`${sign}${whole}${fraction}`);
    return scale >= 0 ? _Ratio.of(digits * 10n ** BigInt(scale)) : _Ratio.of(digits, 10n ** BigInt(-scale));
  }
  add(other) {
    return _Ratio.of(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }
  sub(other) {
    return _Ratio.of(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }
  mul(other) {
    const factor = other instanceof _Ratio ? other : _Ratio.of(other);
    return _Ratio.of(this.numerator * factor.numerator, this.denominator * factor.denominator);
  }
  div(other) {
    const divisor = other instanceof _Ratio ? other : _Ratio.of(other);
    return _Ratio.of(this.numerator * divisor.denominator, this.denominator * divisor.numerator);
  }
  compare(other) {
    const difference = this.numerator * other.denominator - other.numerator * this.denominator;
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  }
  abs() {
    return this.numerator < 0n ? _Ratio.of(-this.numerator, this.denominator) : this;
  }
  isZero() {
    return this.numerator === 0n;
  }
  isInteger() {
    return this.denominator === 1n;
  }
  /** The largest integer not above this value (also for negative values). */
  floor() {
    const quotient = this.numerator / this.denominator;
    return this.numerator < 0n && quotient * this.denominator !== this.numerator ? quotient - 1n : quotient;
  }
  /** Rounds to an integer, halves upwards (x.5 → x + 1), the commercial rounding for amounts. */
  roundHalfUp() {
    return this.add(_Ratio.of(1n, 2n)).floor();
  }
  /** A JSON number with at most `decimals` decimals, rounded half up; exact for the decimal printed. */
  toNumber(decimals) {
    const scale = 10n ** BigInt(decimals);
    return Number(this.mul(scale).roundHalfUp()) / Number(scale);
  }
  static sum(values) {
    return values.reduce((total, value) => total.add(value), _Ratio.ZERO);
  }
};
var Ratio = _Ratio;
__publicField(Ratio, "ZERO", new _Ratio(0n, 1n));
__publicField(Ratio, "ONE", new _Ratio(1n, 1n));

// domain/billing/money.ts
function exactCents(euros2) {
  return Ratio.fromNumber(euros2).mul(100);
}
function isWholeCents(euros2) {
  return exactCents(euros2).isInteger();
}
function toCents(euros2) {
  const cents = exactCents(euros2);
  if (!cents.isInteger())
    throw new RangeError(`not a whole number of cents: ${euros2}`);
  return cents.numerator;
}
function toEuros(cents) {
  return Ratio.of(cents, 100).toNumber(2);
}

// domain/billing/co2.ts
var CO2_STAGES = [
  { minKgPerM2: 0, landlordPercent: 0 },
  { minKgPerM2: 12, landlordPercent: 10 },
  { minKgPerM2: 17, landlordPercent: 20 },
  { minKgPerM2: 22, landlordPercent: 30 },
  { minKgPerM2: 27, landlordPercent: 40 },
  { minKgPerM2: 32, landlordPercent: 50 },
  { minKgPerM2: 37, landlordPercent: 60 },
  { minKgPerM2: 42, landlordPercent: 70 },
  { minKgPerM2: 47, landlordPercent: 80 },
  { minKgPerM2: 52, landlordPercent: 95 }
];
var DAYS_OF_A_YEAR = 365;
function co2BandFactor(period) {
  const days = daysBetween(period.start, period.end) + 1;
  const aYearLater = addYears(period.start, 1);
  const isOneYear = compareDates(addDays(period.end, 1), aYearLater) === 0;
  return isOneYear ? Ratio.ONE : Ratio.of(days, DAYS_OF_A_YEAR);
}
function co2Band(kgPerM2, factor = Ratio.ONE) {
  let index = 0;
  for (let i = 1; i < CO2_STAGES.length; i++) {
    if (kgPerM2.compare(Ratio.of(CO2_STAGES[i].minKgPerM2).mul(factor)) >= 0)
      index = i;
  }
  const stage = CO2_STAGES[index];
  const next = CO2_STAGES[index + 1];
  return {
    from: Ratio.of(stage.minKgPerM2).mul(factor),
    to: next ? Ratio.of(next.minKgPerM2).mul(factor) : null,
    landlordPercent: stage.landlordPercent
  };
}
var inBand = (value, band) => value.compare(band.from) >= 0 && (band.to === null || value.compare(band.to) < 0);
function printedKgPerM2(kgPerM2, band) {
  const hundredths = kgPerM2.mul(100);
  const rounded = Ratio.of(hundredths.roundHalfUp(), 100);
  if (inBand(rounded, band))
    return rounded.toNumber(2);
  const floor = hundredths.floor();
  return Ratio.of(rounded.compare(kgPerM2) > 0 ? floor : floor + 1n, 100).toNumber(2);
}
function splitCo2Cost(co2, unitsArea2, period) {
  const area = co2.area === null ? unitsArea2 : Ratio.fromNumber(co2.area);
  const kgPerM2 = Ratio.fromNumber(co2.kg).div(area);
  const band = co2Band(kgPerM2, period ? co2BandFactor(period) : Ratio.ONE);
  const landlordShare = Ratio.of(band.landlordPercent, 100);
  const costCents = toCents(co2.cost);
  const landlordCents = Ratio.of(costCents).mul(landlordShare).roundHalfUp();
  return {
    kgPerM2: printedKgPerM2(kgPerM2, band),
    landlordShare: landlordShare.toNumber(2),
    landlordCost: toEuros(landlordCents),
    tenantCost: toEuros(costCents - landlordCents)
  };
}

// domain/billing/combined.ts
var KWH_PER_M3_KELVIN = Ratio.fromNumber(2.5);
var COLD_WATER_TEMP_C = Ratio.of(10);
var DEFAULT_HOT_WATER_TEMP_C = 60;
var KWH_PER_M2 = Ratio.of(32);
var GROSS_CALORIFIC_FACTOR = Ratio.fromNumber(1.11);
var DISTRICT_HEATING_DIVISOR = Ratio.fromNumber(1.15);
function hotWaterEnergy(plant, unitsArea2) {
  if (plant.hotWaterKwh !== null)
    return { kwh: Ratio.fromNumber(plant.hotWaterKwh), source: "measured" };
  let kwh;
  let source;
  if (plant.hotWaterM3 !== null) {
    const temperature = Ratio.fromNumber(plant.hotWaterTempC ?? DEFAULT_HOT_WATER_TEMP_C);
    kwh = KWH_PER_M3_KELVIN.mul(Ratio.fromNumber(plant.hotWaterM3)).mul(temperature.sub(COLD_WATER_TEMP_C));
    source = "formula";
  } else {
    const area = plant.area != null ? Ratio.fromNumber(plant.area) : unitsArea2;
    if (area === void 0)
      throw new RangeError("combined plant needs hotWaterKwh, hotWaterM3 or an area");
    kwh = KWH_PER_M2.mul(area);
    source = "area";
  }
  if (plant.grossCalorific)
    kwh = kwh.mul(GROSS_CALORIFIC_FACTOR);
  if (plant.districtHeating)
    kwh = kwh.div(DISTRICT_HEATING_DIVISOR);
  return { kwh, source };
}
function splitCombinedCost(plant, unitsArea2) {
  const energy = hotWaterEnergy(plant, unitsArea2);
  const hotWaterShare = energy.kwh.div(Ratio.fromNumber(plant.energyKwh));
  const costCents = toCents(plant.cost);
  const hotWaterCents = Ratio.of(costCents).mul(hotWaterShare).roundHalfUp();
  return { energy, hotWaterShare, heatingCents: costCents - hotWaterCents, hotWaterCents };
}
function combinedResult(split) {
  return {
    hotWaterKwh: split.energy.kwh.toNumber(2),
    hotWaterShare: split.hotWaterShare.toNumber(6),
    heatingCost: toEuros(split.heatingCents),
    hotWaterCost: toEuros(split.hotWaterCents),
    hotWaterKwhSource: split.energy.source
  };
}

// domain/billing/types.ts
var COST_TYPES = ["heating", "hotWater", "coldWater"];
var HKVO_COST_TYPES = ["heating", "hotWater"];
var CUT_PERCENT = {
  "not-consumption-based": 15,
  "no-remote-reading": 3,
  "no-monthly-info": 3
};
var CUT_REASONS = Object.keys(CUT_PERCENT);
var CUT_INPUTS = [
  "not-consumption-based",
  "not-consumption-based:heating",
  "not-consumption-based:hotWater",
  "no-remote-reading",
  "no-monthly-info"
];
var CUT_RULES = {
  "not-consumption-based": { reason: "not-consumption-based", costTypes: HKVO_COST_TYPES },
  "not-consumption-based:heating": { reason: "not-consumption-based", costTypes: ["heating"] },
  "not-consumption-based:hotWater": { reason: "not-consumption-based", costTypes: ["hotWater"] },
  "no-remote-reading": { reason: "no-remote-reading", costTypes: HKVO_COST_TYPES },
  "no-monthly-info": { reason: "no-monthly-info", costTypes: HKVO_COST_TYPES }
};

// domain/billing/cuts.ts
function cutReasonsByCostType(cuts) {
  const reasons = { heating: [], hotWater: [] };
  for (const cut of cuts) {
    const rule = CUT_RULES[cut];
    for (const type of rule.costTypes)
      reasons[type].push(rule.reason);
  }
  return reasons;
}
function percentOf(reasons) {
  return reasons.reduce((sum, reason) => sum + CUT_PERCENT[reason], 0);
}
function overlappingCut(cuts) {
  const seen = /* @__PURE__ */ new Map();
  for (let index = 0; index < cuts.length; index++) {
    const rule = CUT_RULES[cuts[index]];
    for (const type of rule.costTypes) {
      const key = `${rule.reason}/${type}`;
      const earlier = seen.get(key);
      if (earlier !== void 0)
        return { index, earlier };
      seen.set(key, index);
    }
  }
  return null;
}

// domain/billing/decimal.ts
var DECIMAL_NUMBER2 = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;
var EXACT_PRODUCT_LIMIT = 2 ** 50;
function checkFinite(value) {
  if (!Number.isFinite(value))
    throw new RangeError(`not a finite number: ${value}`);
}
var POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
function decimalPlaces(value) {
  checkFinite(value);
  if (Number.isInteger(value))
    return 0;
  const magnitude = Math.abs(value);
  for (let k = 1; k < POWERS_OF_TEN.length && magnitude * POWERS_OF_TEN[k] < EXACT_PRODUCT_LIMIT; k++) {
    const power = POWERS_OF_TEN[k];
    if (Math.round(value * power) / power === value)
      return k;
  }
  const text = String(value);
  const exponent = text.indexOf("e");
  if (exponent < 0)
    return text.length - text.indexOf(".") - 1;
  const point2 = text.indexOf(".");
  const fraction = point2 < 0 ? 0 : exponent - point2 - 1;
  return Math.max(0, fraction - Number(text.slice(exponent + 1)));
}
function decimalParts(value) {
  checkFinite(value);
  if (Number.isSafeInteger(value))
    return { digits: BigInt(value), scale: 0 };
  const match = DECIMAL_NUMBER2.exec(String(value));
  if (!match)
    throw new RangeError(`unexpected number format: ${value}`);
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const shift = Number(exponent) - fraction.length;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return shift >= 0 ? { digits: digits * 10n ** BigInt(shift), scale: 0 } : { digits, scale: -shift };
}
function scaledInteger(value, scale) {
  const factor = POWERS_OF_TEN[scale] ?? 10 ** scale;
  if (Number.isInteger(value) && Math.abs(value) < EXACT_PRODUCT_LIMIT) {
    const product = value * factor;
    if (Math.abs(product) < EXACT_PRODUCT_LIMIT)
      return BigInt(product);
  } else if (scale <= 22 && Math.abs(value) * factor < EXACT_PRODUCT_LIMIT) {
    const integer = Math.round(value * factor);
    if (integer / factor === value)
      return BigInt(integer);
  }
  const { digits, scale: own } = decimalParts(value);
  if (own > scale)
    throw new RangeError(`${value} has more than ${scale} decimals`);
  return digits * 10n ** BigInt(scale - own);
}
function scaledColumn(values) {
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isInteger(value))
      scale = Math.max(scale, decimalPlaces(value));
  }
  const integers = new Array(values.length);
  let sum = 0;
  let exact = true;
  for (let i = 0; i < values.length; i++) {
    const integer = scaledInteger(values[i], scale);
    integers[i] = integer;
    if (exact) {
      const value = Number(integer);
      if (value >= 0 && value < EXACT_PRODUCT_LIMIT && sum + value < Number.MAX_SAFE_INTEGER)
        sum += value;
      else
        exact = false;
    }
  }
  return { integers, scale, sum: exact ? BigInt(sum) : integers.reduce((total, integer) => total + integer, 0n) };
}

// domain/billing/degree-days.ts
var DEGREE_DAY_PER_MILLE = [170, 150, 130, 80, 40, 13.33, 13.33, 13.34, 30, 80, 120, 160].map(Ratio.fromNumber);
var DEGREE_DAY_HUNDREDTHS = [17e3, 15e3, 13e3, 8e3, 4e3, 1333, 1333, 1334, 3e3, 8e3, 12e3, 16e3];
var MONTH_DAYS_LCM = 377580;
var DEGREE_DAY_UNITS_PER_MILLE = 100 * MONTH_DAYS_LCM;
function degreeDayUnits(from, to) {
  const start = parseDate(from);
  const end = parseDate(to);
  let total = 0;
  for (let year = start.year, month = start.month; year * 12 + month <= end.year * 12 + end.month; ) {
    const monthDays = daysInMonth(year, month);
    const firstDay = year === start.year && month === start.month ? start.day : 1;
    const lastDay = year === end.year && month === end.month ? end.day : monthDays;
    total += DEGREE_DAY_HUNDREDTHS[month - 1] * (lastDay - firstDay + 1) * (MONTH_DAYS_LCM / monthDays);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return total;
}

// domain/validation.ts
var ValidationError = class extends Error {
  constructor(field, message) {
    super(`${field}: ${message}`);
    this.field = field;
    this.name = "ValidationError";
  }
};

// domain/billing/parse.ts
var POSITIVE = { accepts: (v) => v > 0, message: "must be a positive number" };
var NON_NEGATIVE = { accepts: (v) => v >= 0, message: "must be a non-negative number" };
var MAX_AMOUNT_EUROS = 1e12;
var AMOUNT = {
  accepts: (v) => v >= 0 && v <= MAX_AMOUNT_EUROS && isWholeCents(v),
  message: `must be a non-negative amount in euros with at most 2 decimals (at most ${MAX_AMOUNT_EUROS})`
};
var between = (min, max, note = "") => ({
  accepts: (v) => v >= min && v <= max,
  message: `must be between ${min} and ${max}${note}`
});
var HKVO_CONSUMPTION_SHARE = between(0.5, 0.7, ' (up to 1 with "agreed": true, \xA710 HKVO)');
var AGREED_CONSUMPTION_SHARE = between(0.5, 1, " (\xA77(1), \xA710 HKVO)");
var COLD_WATER_CONSUMPTION_SHARE = between(0, 1);
var HOT_WATER_TEMP_C = { accepts: (v) => v >= 10, message: "must be at least 10 (\xB0C)" };
var SUM_TOLERANCE_INVERSE = 10n ** 9n;
function fail(field, message) {
  throw new ValidationError(field, message);
}
function isAbsent(value) {
  return value === void 0 || value === null;
}
function readObject(value, field) {
  if (isAbsent(value))
    fail(field, "is required");
  if (typeof value !== "object" || Array.isArray(value))
    fail(field, "must be an object");
  return value;
}
function readArray(value, field) {
  if (!Array.isArray(value))
    fail(field, isAbsent(value) ? "is required" : "must be an array");
  return value;
}
function kindOf(value) {
  if (Array.isArray(value))
    return "an array";
  return typeof value === "object" ? "an object" : typeof value === "string" ? "a string" : String(value);
}
function readNumber(value, field, rule) {
  if (isAbsent(value))
    fail(field, "is required");
  if (typeof value !== "number")
    fail(field, `${rule.message} (got ${kindOf(value)})`);
  if (!Number.isFinite(value))
    fail(field, `must be a finite number (got ${value}, a number too large for a double)`);
  if (!rule.accepts(value))
    fail(field, rule.message);
  return value;
}
function readOptionalNumber(value, field, rule, fallback) {
  return isAbsent(value) ? fallback : readNumber(value, field, rule);
}
function readId(value, field) {
  if (isAbsent(value))
    fail(field, "is required");
  if (typeof value !== "string" || value.trim() === "")
    fail(field, "must be a non-empty string");
  return value;
}
function readDate(value, field) {
  if (isAbsent(value))
    fail(field, "is required");
  if (!isDate(value))
    fail(field, "must be a date YYYY-MM-DD");
  return value;
}
function readOptionalBoolean(value, field, fallback) {
  if (isAbsent(value))
    return fallback;
  if (typeof value !== "boolean")
    fail(field, "must be true or false");
  return value;
}
function readChoices(value, field, allowed) {
  if (isAbsent(value))
    return [];
  const choices = readArray(value, field);
  return choices.map((choice, index) => {
    if (!allowed.includes(choice))
      fail(`${field}[${index}]`, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    if (choices.indexOf(choice) !== index)
      fail(`${field}[${index}]`, `"${String(choice)}" is listed twice`);
    return choice;
  });
}
function checkUniqueIds(items, field) {
  const firstIndex = /* @__PURE__ */ new Map();
  items.forEach(({ id }, index) => {
    const first = firstIndex.get(id);
    if (first !== void 0)
      fail(`${field}[${index}].id`, `duplicate id "${id}" (also ${field}[${first}].id)`);
    firstIndex.set(id, index);
  });
}
function readPeriod(value) {
  const period = readObject(value, "period");
  const start = readDate(period.start, "period.start");
  const end = readDate(period.end, "period.end");
  if (compareDates(end, start) < 0)
    fail("period.end", "must not be before period.start");
  return { start, end };
}
function readHkvoCostType(value, field, costFromCombined) {
  if (isAbsent(value)) {
    if (costFromCombined)
      fail(field, "is required when combined is given (its consumptionShare)");
    return void 0;
  }
  const costType = readObject(value, field);
  const agreed = readOptionalBoolean(costType.agreed, `${field}.agreed`, false);
  const shareRule = agreed ? AGREED_CONSUMPTION_SHARE : HKVO_CONSUMPTION_SHARE;
  const consumptionShare = readNumber(costType.consumptionShare, `${field}.consumptionShare`, shareRule);
  let cost;
  if (!costFromCombined) {
    cost = readNumber(costType.cost, `${field}.cost`, AMOUNT);
  } else if (readOptionalNumber(costType.cost, `${field}.cost`, AMOUNT, 0) !== 0) {
    fail(`${field}.cost`, "must be omitted or 0 when combined is given (the \xA79 split determines it)");
  } else {
    cost = 0;
  }
  return agreed ? { cost, consumptionShare, agreed } : { cost, consumptionShare };
}
function readColdWater(value) {
  if (isAbsent(value))
    return void 0;
  const coldWater = readObject(value, "coldWater");
  return {
    cost: readNumber(coldWater.cost, "coldWater.cost", AMOUNT),
    consumptionShare: readOptionalNumber(coldWater.consumptionShare, "coldWater.consumptionShare", COLD_WATER_CONSUMPTION_SHARE, 1)
  };
}
var at = (base, key) => `${base}.${key}`;
function readConsumption(object, base, type, required) {
  const value = object[type];
  if (typeof value === "number" && value >= 0 && Number.isFinite(value))
    return value;
  if (!required && isAbsent(value))
    return 0;
  return readNumber(value, at(base, type), NON_NEGATIVE);
}
function readOccupancy(value, field) {
  const occupancy = readObject(value, field);
  const id = readId(occupancy.id, `${field}.id`);
  const from = readDate(occupancy.from, `${field}.from`);
  const to = readDate(occupancy.to, `${field}.to`);
  if (to < from)
    fail(`${field}.to`, `must not be before ${field}.from`);
  const read = (type) => readOptionalNumber(occupancy[type], at(field, type), NON_NEGATIVE, null);
  return { id, from, to, heating: read("heating"), hotWater: read("hotWater"), coldWater: read("coldWater") };
}
function checkCoverage(occupancies, field, period) {
  occupancies.forEach((occupancy, index) => {
    const item = `${field}[${index}]`;
    if (occupancy.from < period.start)
      fail(`${item}.from`, `must not be before period.start (${period.start})`);
    if (occupancy.to > period.end)
      fail(`${item}.to`, `must not be after period.end (${period.end})`);
    const previous = occupancies[index - 1];
    if (previous === void 0)
      return;
    const previousItem = `${field}[${index - 1}]`;
    if (occupancy.from <= previous.to) {
      fail(`${item}.from`, `overlaps ${previousItem}, which ends ${previous.to} (list occupancies in chronological order)`);
    }
    if (occupancy.from !== addDays(previous.to, 1)) {
      fail(
        `${item}.from`,
        `leaves a gap after ${previousItem}, which ends ${previous.to}: occupancies must cover the billing period (bill a vacancy as an occupancy)`
      );
    }
  });
  const last = occupancies.length - 1;
  if (occupancies[0].from !== period.start) {
    fail(`${field}[0].from`, `must be period.start (${period.start}): occupancies must cover the billing period`);
  }
  if (occupancies[last].to !== period.end) {
    fail(`${field}[${last}].to`, `must be period.end (${period.end}): occupancies must cover the billing period`);
  }
}
function checkReadingsComplete(occupancies, field) {
  for (const type of COST_TYPES) {
    const given = occupancies.findIndex((occupancy) => occupancy[type] !== null);
    const missing = occupancies.findIndex((occupancy) => occupancy[type] === null);
    if (given >= 0 && missing >= 0) {
      fail(
        `${field}[${missing}].${type}`,
        `is required because ${field}[${given}].${type} is given: either every occupancy of a unit has its ${type} reading or none has (then ${type} is split by the fixed keys alone, \xA79b(3) HKVO)`
      );
    }
  }
}
function checkConsumptionSums(occupancies, field, unit, unitField) {
  for (const type of COST_TYPES) {
    if (occupancies[0][type] === null)
      continue;
    const values = occupancies.map((occupancy) => occupancy[type] ?? 0);
    const column = scaledColumn([unit[type], ...values]);
    const [expected = 0n] = column.integers;
    const sum = column.sum - expected;
    const difference = sum > expected ? sum - expected : expected - sum;
    const one = 10n ** BigInt(column.scale);
    if (difference * SUM_TOLERANCE_INVERSE > (expected > one ? expected : one)) {
      fail(field, `${type} readings sum to ${Ratio.of(sum, one).toNumber(9)}, but ${unitField}.${type} is ${unit[type]}`);
    }
  }
}
function readOccupancies(value, field, period, unit, unitField) {
  if (isAbsent(value))
    return [];
  const occupancies = readArray(value, field).map((occupancy, index) => readOccupancy(occupancy, `${field}[${index}]`));
  if (occupancies.length === 0)
    return [];
  checkUniqueIds(occupancies, field);
  checkCoverage(occupancies, field, period);
  checkReadingsComplete(occupancies, field);
  checkConsumptionSums(occupancies, field, unit, unitField);
  return occupancies;
}
function readUnitChoices(value, base, key, allowed) {
  if (isAbsent(value) || Array.isArray(value) && value.length === 0)
    return [];
  return readChoices(value, at(base, key), allowed);
}
var isCount = (value) => typeof value === "number" && value >= 0 && Number.isFinite(value);
var isEmptyList = (value) => Array.isArray(value) && value.length === 0;
var UNIT_KEYS = 8;
function isNormalUnit(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return false;
  const unit = value;
  if (!(typeof unit.id === "string" && unit.id.trim() !== "" && isCount(unit.area) && unit.area > 0))
    return false;
  if (!(isCount(unit.heating) && isCount(unit.hotWater) && isCount(unit.coldWater)))
    return false;
  if (!(isEmptyList(unit.estimated) && isEmptyList(unit.cuts) && isEmptyList(unit.occupancies)))
    return false;
  let keys = 0;
  for (const key in unit)
    if (Object.hasOwn(unit, key))
      keys++;
  return keys === UNIT_KEYS;
}
function readUnit(value, field, period, required, occupancyMode) {
  const unit = readObject(value, field);
  const id = typeof unit.id === "string" && unit.id.trim() !== "" ? unit.id : readId(unit.id, at(field, "id"));
  const area = typeof unit.area === "number" && unit.area > 0 && Number.isFinite(unit.area) ? unit.area : readNumber(unit.area, at(field, "area"), POSITIVE);
  const heating = readConsumption(unit, field, "heating", required.heating);
  const hotWater = readConsumption(unit, field, "hotWater", required.hotWater);
  const coldWater = readConsumption(unit, field, "coldWater", required.coldWater);
  const cuts = readUnitChoices(unit.cuts, field, "cuts", CUT_INPUTS);
  const overlap = cuts.length > 1 ? overlappingCut(cuts) : null;
  if (overlap) {
    fail(`${field}.cuts[${overlap.index}]`, `"${cuts[overlap.index]}" cuts again what ${field}.cuts[${overlap.earlier}] already cuts`);
  }
  const estimated = readUnitChoices(unit.estimated, field, "estimated", COST_TYPES);
  const consumptions = { heating, hotWater, coldWater };
  const occupancies = isAbsent(unit.occupancies) ? [] : occupancyMode === "built" && Array.isArray(unit.occupancies) ? unit.occupancies : readOccupancies(unit.occupancies, at(field, "occupancies"), period, consumptions, field);
  return { id, area, heating, hotWater, coldWater, estimated, cuts, occupancies };
}
function readUnits(value, period, required, occupancyMode) {
  const list = readArray(value, "units");
  const units = new Array(list.length);
  for (let index = 0; index < list.length; index++) {
    const unit = list[index];
    units[index] = isNormalUnit(unit) ? unit : readUnit(unit, `units[${index}]`, period, required, occupancyMode);
  }
  if (units.length === 0)
    fail("units", "must contain at least one unit");
  checkUniqueIds(units, "units");
  return units;
}
function readCombined(value) {
  const combined = readObject(value, "combined");
  return {
    cost: readNumber(combined.cost, "combined.cost", AMOUNT),
    energyKwh: readNumber(combined.energyKwh, "combined.energyKwh", POSITIVE),
    hotWaterKwh: readOptionalNumber(combined.hotWaterKwh, "combined.hotWaterKwh", NON_NEGATIVE, null),
    hotWaterM3: readOptionalNumber(combined.hotWaterM3, "combined.hotWaterM3", NON_NEGATIVE, null),
    hotWaterTempC: readOptionalNumber(combined.hotWaterTempC, "combined.hotWaterTempC", HOT_WATER_TEMP_C, DEFAULT_HOT_WATER_TEMP_C),
    districtHeating: readOptionalBoolean(combined.districtHeating, "combined.districtHeating", false),
    grossCalorific: readOptionalBoolean(combined.grossCalorific, "combined.grossCalorific", false),
    area: readOptionalNumber(combined.area, "combined.area", POSITIVE, null)
  };
}
function unitsArea(units) {
  const column = scaledColumn(units.map((unit) => unit.area));
  return Ratio.of(column.sum, 10n ** BigInt(column.scale));
}
function needsUnitsArea(plant) {
  return plant.hotWaterKwh === null && plant.hotWaterM3 === null && plant.area == null;
}
function checkCombinedEnergy(plant, units) {
  const energy = hotWaterEnergy(plant, units && unitsArea(units));
  if (energy.kwh.compare(Ratio.fromNumber(plant.energyKwh)) > 0) {
    if (energy.source === "measured")
      fail("combined.hotWaterKwh", "must not exceed combined.energyKwh");
    fail("combined.energyKwh", `must be at least the hot-water energy Q = ${energy.kwh.toNumber(2)} kWh`);
  }
}
function readCo2(value) {
  const co2 = readObject(value, "co2");
  return {
    kg: readNumber(co2.kg, "co2.kg", NON_NEGATIVE),
    cost: readNumber(co2.cost, "co2.cost", AMOUNT),
    area: readOptionalNumber(co2.area, "co2.area", POSITIVE, null)
  };
}
function parseAssembledBillingInput(input2) {
  return readInput(input2, "built");
}
function readInput(raw, occupancyMode) {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    fail("input", "must be a JSON object");
  const root = raw;
  const period = readPeriod(root.period);
  const combined = isAbsent(root.combined) ? void 0 : readCombined(root.combined);
  if (combined && !needsUnitsArea(combined))
    checkCombinedEnergy(combined);
  const heating = readHkvoCostType(root.heating, "heating", combined !== void 0);
  const hotWater = readHkvoCostType(root.hotWater, "hotWater", combined !== void 0);
  const coldWater = readColdWater(root.coldWater);
  const required = { heating: heating !== void 0, hotWater: hotWater !== void 0, coldWater: false };
  const units = readUnits(root.units, period, required, occupancyMode);
  const input2 = {
    period,
    ...heating && { heating },
    ...hotWater && { hotWater },
    ...coldWater && { coldWater },
    units
  };
  if (combined) {
    if (needsUnitsArea(combined))
      checkCombinedEnergy(combined, units);
    input2.combined = combined;
  }
  if (!isAbsent(root.co2))
    input2.co2 = readCo2(root.co2);
  return input2;
}

// domain/billing/warnings.ts
function substituteAreaWarning(type, estimatedShare) {
  return `${type}: substitute values cover ${estimatedShare.mul(100).toNumber(2)} % of the area (more than 25 %), so ${type} is distributed by area only (HKVO \xA79a(2))`;
}
function noConsumptionWarning(type) {
  return `${type}: no unit has any consumption, so ${type} is distributed by area only`;
}

// domain/billing/engine.ts
var DERIVATION_DECIMALS = 6;
var DERIVATION_SCALE = 10n ** BigInt(DERIVATION_DECIMALS);
var euros = (cents) => cents / 100;
function display(numerator, denominator) {
  return Number((2n * numerator * DERIVATION_SCALE + denominator) / (2n * denominator)) / Number(DERIVATION_SCALE);
}
function largestRemainders(remainders, count) {
  const total = remainders.length;
  if (count === 0)
    return [];
  if (total <= SMALL)
    return fewLargest(remainders, count);
  const keys = new Float64Array(total);
  for (let i = 0; i < total; i++)
    keys[i] = Number(remainders[i]);
  const threshold = keys.slice().sort()[total - count];
  const chosen = [];
  const tied = [];
  for (let i = 0; i < total; i++) {
    if (keys[i] > threshold)
      chosen.push(i);
    else if (keys[i] === threshold)
      tied.push(i);
  }
  tied.sort((a, b) => {
    const ra = remainders[a];
    const rb = remainders[b];
    return ra > rb ? -1 : ra < rb ? 1 : a - b;
  });
  for (let k = 0; chosen.length < count; k++)
    chosen.push(tied[k]);
  return chosen;
}
var SMALL = 16;
function fewLargest(remainders, count) {
  const chosen = [];
  for (let k = 0; k < count; k++) {
    let best = -1;
    for (let i = 0; i < remainders.length; i++) {
      if (!chosen.includes(i) && (best < 0 || remainders[i] > remainders[best]))
        best = i;
    }
    chosen.push(best);
  }
  return chosen;
}
function roundToTotal(numerators, denominator, total) {
  const count = numerators.length;
  const cents = new Array(count);
  const remainders = new Array(count);
  let floorSum = 0;
  for (let i = 0; i < count; i++) {
    const numerator = numerators[i];
    const floor = numerator / denominator;
    remainders[i] = numerator - floor * denominator;
    const cent = Number(floor);
    cents[i] = cent;
    floorSum += cent;
  }
  const missing = total - floorSum;
  if (missing < 0 || missing > count)
    throw new RangeError(`cannot round amounts to a total of ${total} cents`);
  for (const index of largestRemainders(remainders, missing))
    cents[index] += 1;
  return cents;
}
function splitByWeights(total, weights) {
  if (total === 0)
    return weights.map(() => 0);
  let sum = 0;
  let largest = 0;
  let whole = Number.isSafeInteger(total) && total > 0;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i];
    sum += weight;
    if (weight > largest)
      largest = weight;
    if (!(weight >= 0 && Number.isSafeInteger(weight)))
      whole = false;
  }
  if (sum === 0)
    throw new RangeError(`cannot split ${total} cents by zero weights`);
  if (whole && total * largest + sum <= Number.MAX_SAFE_INTEGER)
    return splitExactly(total, weights, sum);
  const bigTotal = BigInt(total);
  return roundToTotal(
    weights.map((weight) => bigTotal * BigInt(weight)),
    BigInt(sum),
    total
  );
}
function splitExactly(total, weights, sum) {
  const count = weights.length;
  const cents = new Array(count);
  const remainders = new Float64Array(count);
  let floorSum = 0;
  for (let i = 0; i < count; i++) {
    const numerator = total * weights[i];
    let floor = Math.floor(numerator / sum);
    let remainder = numerator - floor * sum;
    if (remainder < 0) {
      floor -= 1;
      remainder += sum;
    } else if (remainder >= sum) {
      floor += 1;
      remainder -= sum;
    }
    cents[i] = floor;
    remainders[i] = remainder;
    floorSum += floor;
  }
  const missing = total - floorSum;
  if (missing < 0 || missing > count)
    throw new RangeError(`cannot round amounts to a total of ${total} cents`);
  if (missing === 0)
    return cents;
  if (count <= SMALL) {
    for (const index of fewLargest(remainders, missing))
      cents[index] += 1;
    return cents;
  }
  const threshold = remainders.slice().sort()[count - missing];
  let tied = missing;
  for (let i = 0; i < count; i++)
    if (remainders[i] > threshold)
      tied--;
  for (let i = 0; i < count; i++) {
    const remainder = remainders[i];
    if (remainder > threshold)
      cents[i] += 1;
    else if (remainder === threshold && tied > 0) {
      cents[i] += 1;
      tied--;
    }
  }
  return cents;
}
function chooseMethod(type, input2, areas, costCents, warnings) {
  let estimatedArea = 0n;
  input2.units.forEach((unit, index) => {
    if (unit.estimated.length > 0 && unit.estimated.includes(type))
      estimatedArea += areas.integers[index];
  });
  if (estimatedArea * 4n > areas.sum) {
    warnings.push(substituteAreaWarning(type, Ratio.of(estimatedArea, areas.sum)));
    return "area";
  }
  const needsConsumption = costCents > 0n && (input2[type]?.consumptionShare ?? 0) > 0;
  if (needsConsumption && !input2.units.some((unit) => unit[type] > 0)) {
    warnings.push(noConsumptionWarning(type));
    return "area";
  }
  return "consumption";
}
function distribute(type, input2, areas, costCents, warnings) {
  const section = input2[type];
  const method = section ? chooseMethod(type, input2, areas, costCents, warnings) : "consumption";
  const share = section && method === "consumption" ? decimalParts(section.consumptionShare) : { digits: 0n, scale: 0 };
  const shareNumerator = share.digits;
  const shareDenominator = 10n ** BigInt(share.scale);
  const consumptions = scaledColumn(input2.units.map((unit) => unit[type]));
  const consumptionSum = consumptions.sum;
  const c2 = costCents;
  const hasConsumption = consumptionSum > 0n;
  const p = hasConsumption ? c2 * shareNumerator * areas.sum : 0n;
  const q = c2 * (shareDenominator - shareNumerator) * (hasConsumption ? consumptionSum : 1n);
  const d = shareDenominator * (hasConsumption ? consumptionSum : 1n) * areas.sum;
  const numerators = new Array(input2.units.length);
  const consumptionIntegers = consumptions.integers;
  const areaIntegers = areas.integers;
  for (let i = 0; i < numerators.length; i++) {
    const consumption = consumptionIntegers[i];
    const fixed = q * areaIntegers[i];
    numerators[i] = consumption === 0n || p === 0n ? fixed : p * consumption + fixed;
  }
  const consumptionScale = 10n ** BigInt(consumptions.scale);
  const areaScale = 10n ** BigInt(areas.scale);
  const consumptionPart = c2 * shareNumerator;
  return {
    method,
    consumptions,
    p,
    q,
    d,
    cents: roundToTotal(numerators, d, Number(c2)),
    display: {
      method,
      cost: euros(Number(c2)),
      consumptionShare: display(shareNumerator, shareDenominator),
      // (C·s / Σc) / 100 euros per consumption unit, Σc = sum / 10^scale
      pricePerConsumptionUnit: hasConsumption ? display(consumptionPart * consumptionScale, shareDenominator * consumptionSum * 100n) : 0,
      pricePerM2: display((c2 * shareDenominator - consumptionPart) * areaScale, shareDenominator * areas.sum * 100n),
      totalConsumption: display(consumptionSum, consumptionScale),
      totalArea: display(areas.sum, areaScale)
    }
  };
}
function costTypeCut(cents, reasons) {
  let cut = 0;
  for (const reason of reasons) {
    const halfUp = cents * CUT_PERCENT[reason] + 50;
    cut += (halfUp - halfUp % 100) / 100;
  }
  return cut;
}
function unitCut(unit, cents) {
  if (unit.cuts.length === 0) {
    const base = euros(cents.heating + cents.hotWater);
    return {
      heating: 0,
      hotWater: 0,
      derivation: {
        reasons: [],
        percent: 0,
        base,
        heating: { reasons: [], percent: 0, base: euros(cents.heating), cut: 0 },
        hotWater: { reasons: [], percent: 0, base: euros(cents.hotWater), cut: 0 }
      }
    };
  }
  const reasons = cutReasonsByCostType(unit.cuts);
  const heating = costTypeCut(cents.heating, reasons.heating);
  const hotWater = costTypeCut(cents.hotWater, reasons.hotWater);
  const percentHeating = percentOf(reasons.heating);
  const percentHotWater = percentOf(reasons.hotWater);
  return {
    heating,
    hotWater,
    derivation: {
      reasons: unit.cuts,
      percent: percentHeating === percentHotWater ? percentHeating : null,
      base: euros(cents.heating + cents.hotWater),
      heating: { reasons: reasons.heating, percent: percentHeating, base: euros(cents.heating), cut: euros(heating) },
      hotWater: { reasons: reasons.hotWater, percent: percentHotWater, base: euros(cents.hotWater), cut: euros(hotWater) }
    }
  };
}
function splitUnitAmount(type, distribution, unitIndex, unitArea, occupancies, fixedKeys) {
  const consumptionNumerator = distribution.p * distribution.consumptions.integers[unitIndex];
  const fixedNumerator = distribution.q * unitArea;
  let consumptionKeys = fixedKeys;
  if (occupancies[0][type] !== null) {
    const readings = scaledColumn(occupancies.map((occupancy) => occupancy[type] ?? 0));
    if (readings.sum > 0n)
      consumptionKeys = { numerators: readings.integers, denominator: readings.sum };
  }
  const numerators = occupancies.map(
    (_, j) => consumptionNumerator * consumptionKeys.numerators[j] * fixedKeys.denominator + fixedNumerator * fixedKeys.numerators[j] * consumptionKeys.denominator
  );
  return roundToTotal(numerators, distribution.d * consumptionKeys.denominator * fixedKeys.denominator, distribution.cents[unitIndex]);
}
function occupancyPart(distributions, unit, unitIndex, unitArea, cut, period) {
  const occupancies = unit.occupancies;
  const days = occupancies.map(({ from, to }) => daysBetween(from, to) + 1);
  const degreeDays = occupancies.map(({ from, to }) => degreeDayUnits(from, to));
  const byDays = { numerators: days.map(BigInt), denominator: BigInt(period.days) };
  const byDegreeDays = { numerators: degreeDays.map(BigInt), denominator: BigInt(period.degreeDayUnits) };
  const split = (type) => splitUnitAmount(type, distributions[type], unitIndex, unitArea, occupancies, type === "heating" ? byDegreeDays : byDays);
  const heating = split("heating");
  const hotWater = split("hotWater");
  const coldWater = split("coldWater");
  const heatingCut = splitByWeights(cut.heating, heating);
  const hotWaterCut = splitByWeights(cut.hotWater, hotWater);
  const fixedKeysOnly = COST_TYPES.filter((type) => occupancies[0][type] === null);
  const results = occupancies.map(({ id }, j) => {
    const occupancyCut = heatingCut[j] + hotWaterCut[j];
    return {
      id,
      heating: euros(heating[j]),
      hotWater: euros(hotWater[j]),
      coldWater: euros(coldWater[j]),
      cut: euros(occupancyCut),
      total: euros(heating[j] + hotWater[j] + coldWater[j] - occupancyCut)
    };
  });
  const derivations = occupancies.map(({ id, from, to }, j) => ({
    id,
    from,
    to,
    days: days[j],
    dayShare: display(BigInt(days[j]), byDays.denominator),
    degreeDayShare: display(BigInt(degreeDays[j]), byDegreeDays.denominator),
    ...fixedKeysOnly.length > 0 && { fixedKeysOnly }
  }));
  return { results, derivations };
}
function computeAssembledBilling(assembled) {
  return billInput(parseAssembledBillingInput(assembled));
}
function billInput(input2) {
  const areas = scaledColumn(input2.units.map((unit) => unit.area));
  const totalArea = Ratio.of(areas.sum, 10n ** BigInt(areas.scale));
  const combined = input2.combined && splitCombinedCost(input2.combined, totalArea);
  const costCents = {
    heating: combined ? combined.heatingCents : toCents(input2.heating?.cost ?? 0),
    hotWater: combined ? combined.hotWaterCents : toCents(input2.hotWater?.cost ?? 0),
    coldWater: toCents(input2.coldWater?.cost ?? 0)
  };
  const warnings = [];
  const distributions = {
    heating: distribute("heating", input2, areas, costCents.heating, warnings),
    hotWater: distribute("hotWater", input2, areas, costCents.hotWater, warnings),
    coldWater: distribute("coldWater", input2, areas, costCents.coldWater, warnings)
  };
  const period = {
    days: daysBetween(input2.period.start, input2.period.end) + 1,
    degreeDayUnits: degreeDayUnits(input2.period.start, input2.period.end)
  };
  const derivation = (type, unit) => {
    const shared = distributions[type].display;
    return {
      method: shared.method,
      cost: shared.cost,
      consumptionShare: shared.consumptionShare,
      pricePerConsumptionUnit: shared.pricePerConsumptionUnit,
      pricePerM2: shared.pricePerM2,
      consumption: unit[type],
      totalConsumption: shared.totalConsumption,
      area: unit.area,
      totalArea: shared.totalArea,
      estimated: unit.estimated.length > 0 && unit.estimated.includes(type)
    };
  };
  const units = input2.units.map((unit, index) => {
    const cents = {
      heating: distributions.heating.cents[index],
      hotWater: distributions.hotWater.cents[index],
      coldWater: distributions.coldWater.cents[index]
    };
    const cut = unitCut(unit, cents);
    const cutCents2 = cut.heating + cut.hotWater;
    const heating = euros(cents.heating);
    const hotWater = euros(cents.hotWater);
    const coldWater = euros(cents.coldWater);
    const total = euros(cents.heating + cents.hotWater + cents.coldWater - cutCents2);
    const derivations = {
      heating: derivation("heating", unit),
      hotWater: derivation("hotWater", unit),
      coldWater: derivation("coldWater", unit),
      cut: cut.derivation
    };
    if (unit.occupancies.length === 0) {
      return { id: unit.id, heating, hotWater, coldWater, cut: euros(cutCents2), total, derivation: derivations };
    }
    const occupancies = occupancyPart(distributions, unit, index, areas.integers[index], cut, period);
    return {
      id: unit.id,
      heating,
      hotWater,
      coldWater,
      cut: euros(cutCents2),
      total,
      occupancies: occupancies.results,
      derivation: { ...derivations, occupancies: occupancies.derivations }
    };
  });
  const result = {
    methods: { heating: distributions.heating.method, hotWater: distributions.hotWater.method, coldWater: distributions.coldWater.method },
    units,
    warnings
  };
  if (combined)
    result.combined = combinedResult(combined);
  if (input2.co2)
    result.co2 = splitCo2Cost(input2.co2, totalArea, input2.period);
  return result;
}

// domain/billing/distribute.ts
var MAX_ESTIMATED_AREA_SHARE = Ratio.of(1, 4);

// domain/device-labels.ts
var DEVICE_TYPE_LABELS = {
  HKV: "Heizkostenverteiler",
  "WZ-K": "Kaltwasserz\xE4hler",
  "WZ-W": "Warmwasserz\xE4hler",
  WMZ: "W\xE4rmemengenz\xE4hler",
  GZ: "Gasz\xE4hler",
  RWM: "Rauchwarnmelder"
};

// domain/format.ts
function formatDate2(value) {
  if (!value)
    return "\u2013";
  if (value instanceof Date)
    return dateTimeFormat.date.format(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : value;
}
var dateTimeFormat = {
  date: new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", day: "2-digit", month: "2-digit", year: "numeric" }),
  dateTime: new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit"
  })
};
var integerFormat = new Intl.NumberFormat("de-DE");
var decimalFormat = new Intl.NumberFormat("de-DE", { minimumFractionDigits: 0, maximumFractionDigits: 2 });

// domain/billing/statement-readings.ts
var SET_DATE_LOOKAHEAD_DAYS = 31;
function previousPeriod(period) {
  return { start: addYears(period.start, -1), end: addYears(period.end, -1) };
}
var Boundaries = class {
  known = /* @__PURE__ */ new Map();
  next = /* @__PURE__ */ new Map();
  /** The day after `day`. */
  after(day) {
    let after = this.next.get(day);
    if (after === void 0)
      this.next.set(day, after = addDays(day, 1));
    return after;
  }
  of(day) {
    let boundary = this.known.get(day);
    if (!boundary) {
      boundary = { day, before: addDays(day, -1), lookaheadEnd: addDays(day, SET_DATE_LOOKAHEAD_DAYS) };
      this.known.set(day, boundary);
    }
    return boundary;
  }
};
var NONE = -1;
var NO_INTERMEDIATE = [];
function locate(readings, boundary, setDate) {
  let late = NONE;
  let stored = NONE;
  for (let i = 0; i < readings.length; i++) {
    const day = readings[i].day;
    if (day === boundary.day)
      return i;
    if (day === boundary.before)
      late = i;
    else if (setDate && stored === NONE && day > boundary.day && day <= boundary.lookaheadEnd && readings[i].setDateValue !== null)
      stored = i;
  }
  if (late !== NONE)
    return late;
  return stored === NONE ? NONE : -2 - stored;
}
function valueOf(readings, located) {
  return located >= 0 ? readings[located].value : readings[-2 - located].setDateValue;
}
function boundaryValueAt(readings, located) {
  if (located === NONE)
    return null;
  if (located >= 0)
    return { value: readings[located].value, readOn: readings[located].day, how: "reading" };
  const reading = readings[-2 - located];
  return { value: reading.setDateValue, readOn: reading.day, how: "set-date" };
}
var toMilli = (value) => Math.round(value * 1e3);
var fromMilli = (milli) => milli / 1e3;
function consumptionMilli(readings, from, until, setDateFrom, setDateUntil) {
  const start = locate(readings, from, setDateFrom);
  if (start === NONE)
    return null;
  const end = locate(readings, until, setDateUntil);
  if (end === NONE)
    return null;
  const milli = toMilli(valueOf(readings, end)) - toMilli(valueOf(readings, start));
  return milli < 0 ? null : milli;
}
function deviceConsumption(device, start, end, changes) {
  const { readings } = device;
  const startAt = locate(readings, start, true);
  const endAt = locate(readings, end, true);
  let milli = null;
  let problem;
  if (startAt === NONE)
    problem = endAt === NONE ? "missing" : "missing-start";
  else if (endAt === NONE)
    problem = "missing-end";
  else {
    milli = toMilli(valueOf(readings, endAt)) - toMilli(valueOf(readings, startAt));
    problem = milli < 0 ? "decreasing" : null;
    if (problem)
      milli = null;
  }
  return {
    deviceId: device.id,
    serial: device.serial,
    type: device.type,
    location: device.location,
    start: boundaryValueAt(readings, startAt),
    end: boundaryValueAt(readings, endAt),
    consumption: milli === null ? null : fromMilli(milli),
    problem,
    intermediate: changes.length === 0 ? NO_INTERMEDIATE : changes.map((change) => ({ day: change.day, value: boundaryValueAt(readings, locate(readings, change, false)) }))
  };
}
function occupancySegments(tenancies, period) {
  const only = tenancies.length === 1 ? tenancies[0] : null;
  if (only && only.startsOn <= period.start && (only.endsOn === null || only.endsOn >= period.end))
    return [{ key: `T${only.id}`, tenancyId: only.id, tenantName: only.tenantName, from: period.start, to: period.end }];
  const segments = [];
  let next = period.start;
  let vacancies = 0;
  const vacancyUntil = (to) => segments.push({ key: `L${++vacancies}`, tenancyId: null, tenantName: null, from: next, to });
  const sorted = [...tenancies].sort((a, b) => a.startsOn < b.startsOn ? -1 : a.startsOn > b.startsOn ? 1 : a.id - b.id);
  for (const tenancy of sorted) {
    if (next > period.end)
      break;
    const to = tenancy.endsOn === null || tenancy.endsOn > period.end ? period.end : tenancy.endsOn;
    if (to < next)
      continue;
    const from = tenancy.startsOn > next ? tenancy.startsOn : next;
    if (from > period.end)
      break;
    if (from !== next)
      vacancyUntil(addDays(from, -1));
    segments.push({ key: `T${tenancy.id}`, tenancyId: tenancy.id, tenantName: tenancy.tenantName, from, to });
    next = addDays(to, 1);
  }
  if (next <= period.end)
    vacancyUntil(period.end);
  return segments;
}
function daysOf(from, to) {
  return daysBetween(from, to) + 1;
}

// domain/billing/statement-cuts.ts
var STATEMENT_CUT_PERCENT = { ...CUT_PERCENT, "co2-not-shown": 3 };
var CUT_TITLES = {
  "not-consumption-based": "nicht verbrauchsabh\xE4ngig abgerechnet",
  "no-remote-reading": "Ausstattung nicht fernablesbar",
  "no-monthly-info": "monatliche Verbrauchsinformation fehlte",
  "co2-not-shown": "CO\u2082-Kostenaufteilung nicht ausgewiesen"
};
function percentOfCents(cents, percent) {
  const halfUp = cents * percent + 50;
  return (halfUp - halfUp % 100) / 100;
}
function cutCents(amounts, costTypes, percent) {
  let cents = 0;
  for (const type of costTypes)
    cents += percentOfCents(amounts[type], percent);
  return cents;
}
function costTypesOf(input2) {
  return [...CUT_RULES[input2].costTypes];
}
var REMOTE_READING_REQUIRED_AFTER = "2021-12-01";
var REMOTE_RETROFIT_DEADLINE = "2026-12-31";
function remoteReadingCut(devices, period) {
  const retrofitPassed = period.end > REMOTE_RETROFIT_DEADLINE;
  const newer = [];
  const older = [];
  for (const device of devices) {
    if (device.remoteReadable)
      continue;
    const label = `${DEVICE_TYPE_LABELS[device.type]} ${device.serial} (eingebaut am ${formatDate2(device.installedAt)})`;
    if (device.installedAt > REMOTE_READING_REQUIRED_AFTER)
      newer.push(label);
    else if (retrofitPassed)
      older.push(label);
  }
  if (newer.length === 0 && older.length === 0)
    return null;
  const parts = [];
  if (newer.length > 0)
    parts.push(`nach dem 01.12.2021 eingebaut und nicht fernablesbar (\xA75 Abs. 2 HKVO): ${newer.join(", ")}`);
  if (older.length > 0)
    parts.push(`bis 31.12.2026 nicht auf Fernablesung umger\xFCstet (\xA75 Abs. 3 HKVO): ${older.join(", ")}`);
  return `Erfassungsger\xE4te ${parts.join("; ")}.`;
}
var MONTHLY_INFORMATION_FROM = "2022-01";
var monthEnd = (month) => {
  const { year, month: m } = parseDate(`${month}-01`);
  return `${month}-${String(daysInMonth(year, m)).padStart(2, "0")}`;
};
var nextMonth = (month) => addDays(monthEnd(month), 1).slice(0, 7);
function owedInformationMonths(tenancy, period, asOf, since = MONTHLY_INFORMATION_FROM) {
  const months = [];
  let month = period.start.slice(0, 7);
  if (month < MONTHLY_INFORMATION_FROM)
    month = MONTHLY_INFORMATION_FROM;
  if (month < since)
    month = since;
  for (; `${month}-01` <= period.end; month = nextMonth(month)) {
    const first = `${month}-01`;
    const last = monthEnd(month);
    if (first < period.start || last > period.end)
      continue;
    if (tenancy.startsOn > first || tenancy.endsOn !== null && tenancy.endsOn < last)
      continue;
    if (asOf !== void 0 && monthEnd(nextMonth(month)) >= asOf)
      continue;
    months.push(month);
  }
  return months;
}
var shortMonth = (month) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;
function monthlyInformationCut(tenancy, period, asOf, since) {
  if (!tenancy.informedMonths || since === void 0)
    return null;
  const informed = new Set(tenancy.informedMonths);
  const owed = owedInformationMonths(tenancy, period, asOf, since);
  const missing = owed.filter((month) => !informed.has(month));
  if (missing.length === 0)
    return null;
  return `Die monatliche Verbrauchsinformation (\xA76a HKVO) wurde f\xFCr ${missing.length} von ${owed.length} Monaten nicht bereitgestellt: ${missing.map(shortMonth).join(", ")}.`;
}
var CO2_PRICED_FUELS = ["Erdgas", "Heiz\xF6l", "Fernw\xE4rme", "Fl\xFCssiggas"];
var CO2_SPLIT_FROM = "2023-01-01";
function co2Cut(period, fuelCategories, co2Shown) {
  if (co2Shown || period.start < CO2_SPLIT_FROM)
    return null;
  const priced = [...new Set(fuelCategories.filter((category) => CO2_PRICED_FUELS.includes(category)))];
  if (priced.length === 0)
    return null;
  return `Die Kohlendioxidkosten (${priced.join(", ")}) wurden nicht nach dem CO2KostAufG zwischen Vermieter und Mieter aufgeteilt und ausgewiesen; Ihr Anteil an den Heiz- und Warmwasserkosten wird daher um 3 % gek\xFCrzt.`;
}
function notByConsumptionExplanation(type, estimatedAreaPercent) {
  const label = type === "heating" ? "Heizung" : "Warmwasser";
  return estimatedAreaPercent !== null ? `${label} wurde nicht nach Verbrauch abgerechnet: f\xFCr ${estimatedAreaPercent.toLocaleString("de-DE", { maximumFractionDigits: 1 })} % der Fl\xE4che lagen nur Ersatzwerte vor (mehr als 25 %, \xA79a Abs. 2 HKVO).` : `${label} wurde nicht nach Verbrauch abgerechnet: es wurde kein Verbrauch erfasst.`;
}

// domain/billing/statement.ts
function perCostType(make) {
  return { heating: make("heating"), hotWater: make("hotWater"), coldWater: make("coldWater") };
}
var METERING_FEE_CATEGORIES = ["Messger\xE4temiete", "Abrechnungskosten"];
function billedCostTypes(parameters) {
  return COST_TYPES.filter(
    (type) => type === "heating" || (type === "hotWater" ? parameters.hotWaterMethod !== "none" : parameters.coldWaterCost > 0)
  );
}
var toCentsInt = (euros2) => Math.round(euros2 * 100);
var fromCentsInt = (cents) => cents / 100;
function plantSummary(costs, hotWaterM3) {
  const cents = (lines, pick) => lines.reduce((sum, line) => sum + toCentsInt(pick(line) ?? 0), 0);
  const fuel = costs.filter((c2) => c2.kind === "fuel");
  const operating = costs.filter((c2) => c2.kind === "operating");
  return {
    cost: fromCentsInt(cents(costs, (c2) => c2.amount)),
    fuelCost: fromCentsInt(cents(fuel, (c2) => c2.amount)),
    operatingCost: fromCentsInt(cents(operating, (c2) => c2.amount)),
    taxesAndLevies: fromCentsInt(cents(costs, (c2) => c2.taxesAndLevies)),
    meteringFees: fromCentsInt(
      cents(
        operating.filter((c2) => METERING_FEE_CATEGORIES.includes(c2.category)),
        (c2) => c2.amount
      )
    ),
    energyKwh: fromMilli(fuel.reduce((sum, line) => sum + toMilli(line.kwh ?? 0), 0)),
    hotWaterM3: hotWaterM3.value,
    hotWaterM3Source: hotWaterM3.source
  };
}
function checkRequest(request2, unitIds) {
  const { parameters, costs } = request2;
  if (costs.length === 0)
    throw new ValidationError("costs", "Bitte mindestens eine Brennstofflieferung oder -rechnung erfassen.");
  costs.forEach((line, index) => {
    if (line.kind === "fuel" && !(line.kwh !== null && line.kwh > 0)) {
      throw new ValidationError(
        `costs[${index}].kwh`,
        "Bitte die Energiemenge der Brennstoffzeile in kWh angeben (f\xFCr die Aufteilung nach \xA79 HKVO)."
      );
    }
  });
  if (parameters.hotWaterMethod === "measured" && parameters.hotWaterKwhMeasured === null)
    throw new ValidationError("hotWaterKwhMeasured", "Bitte die gemessene W\xE4rmemenge f\xFCr Warmwasser angeben (\xA79 Abs. 2 HKVO).");
  if (parameters.hotWaterMethod === "volume" && parameters.hotWaterTempC === null)
    throw new ValidationError("hotWaterTempC", "Bitte die Warmwassertemperatur angeben (\xA79 Abs. 2 HKVO).");
  if (parameters.co2Kg === null !== (parameters.co2Cost === null)) {
    throw new ValidationError(parameters.co2Kg === null ? "co2Kg" : "co2Cost", "CO\u2082-Emissionen und CO\u2082-Kosten bitte zusammen angeben.");
  }
  parameters.manualCuts.forEach((cut, index) => {
    if (!CUT_INPUTS.includes(cut.cut))
      throw new ValidationError(`manualCuts[${index}].cut`, "Bitte einen K\xFCrzungsgrund w\xE4hlen.");
    if (cut.unitId !== null && !unitIds.has(cut.unitId))
      throw new ValidationError(`manualCuts[${index}].unitId`, "Die Wohneinheit geh\xF6rt nicht zu dieser Liegenschaft.");
    if (cut.reason.trim() === "")
      throw new ValidationError(`manualCuts[${index}].reason`, "Bitte die Begr\xFCndung der K\xFCrzung angeben; sie steht in der Abrechnung.");
  });
}
function devicesOf(work, type) {
  const deviceType = work.typeOf[type];
  return deviceType === null ? [] : work.unit.devices.filter((device) => device.type === deviceType);
}
var NO_BOUNDARIES = [];
function heatingDeviceType(units) {
  for (const unit of units)
    for (const device of unit.devices)
      if (device.type === "HKV")
        return "HKV";
  return "WMZ";
}
function assembleStatement(facts2, request2, engine = computeAssembledBilling) {
  if (facts2.units.length === 0)
    throw new ValidationError("propertyId", "Die Liegenschaft hat keine Wohneinheiten.");
  checkRequest(request2, new Set(facts2.units.map((u) => u.id)));
  const { period, parameters } = request2;
  const billed = billedCostTypes(parameters);
  const heatingType = heatingDeviceType(facts2.units);
  const typeOf = { heating: heatingType, hotWater: "WZ-W", coldWater: "WZ-K" };
  const billedTypeOf = {
    heating: typeOf.heating,
    hotWater: billed.includes("hotWater") ? typeOf.hotWater : null,
    coldWater: billed.includes("coldWater") ? typeOf.coldWater : null
  };
  const boundaries = new Boundaries();
  const previous = previousPeriod(period);
  const start = boundaries.of(period.start);
  const end = boundaries.of(boundaries.after(period.end));
  const previousStart = boundaries.of(previous.start);
  const previousEnd = boundaries.of(boundaries.after(previous.end));
  const works = facts2.units.map((unit) => {
    const segments = occupancySegments(unit.tenancies, period);
    const changes = segments.length < 2 ? NO_BOUNDARIES : segments.slice(1).map((segment) => boundaries.of(segment.from));
    const readings = [];
    const measured = { heating: 0, hotWater: 0, coldWater: 0 };
    const previousMilli = { heating: null, hotWater: null, coldWater: null };
    let remoteInformation = false;
    let notRemote = false;
    for (const type of billed) {
      const deviceType = typeOf[type];
      let sum = 0;
      let previousSum = 0;
      let devices = 0;
      for (let d = 0; d < unit.devices.length; d++) {
        const device = unit.devices[d];
        if (device.type !== deviceType)
          continue;
        devices++;
        if (type !== "coldWater") {
          if (device.remoteReadable)
            remoteInformation = true;
          else
            notRemote = true;
        }
        const reading = deviceConsumption(device, start, end, changes);
        readings.push(reading);
        sum = sum === null || reading.consumption === null ? null : sum + toMilli(reading.consumption);
        if (previousSum !== null) {
          const before = consumptionMilli(device.readings, previousStart, previousEnd, true, true);
          previousSum = before === null ? null : previousSum + before;
        }
      }
      if (devices === 0)
        previousSum = null;
      measured[type] = sum;
      previousMilli[type] = previousSum;
    }
    return {
      unit,
      segments,
      readings,
      measured,
      previous: previousMilli,
      typeOf: billedTypeOf,
      remoteInformation,
      notRemote,
      consumption: { heating: 0, hotWater: 0, coldWater: 0 },
      substitutes: {},
      estimated: [],
      split: { heating: null, hotWater: null, coldWater: null },
      cuts: []
    };
  });
  for (const type of billed) {
    let measuredMilli = 0;
    let measuredArea = 0;
    let measuredUnits = 0;
    for (let w = 0; w < works.length; w++) {
      const work = works[w];
      const value = work.measured[type];
      if (value === null)
        continue;
      measuredMilli += value;
      measuredArea += work.unit.areaM2;
      measuredUnits += 1;
    }
    for (let w = 0; w < works.length; w++) {
      const work = works[w];
      const value = work.measured[type];
      if (value !== null) {
        work.consumption[type] = value;
        continue;
      }
      const devices = work.readings.filter((r) => r.type === typeOf[type] && r.problem !== null).map((r) => r.serial);
      const before = work.previous[type];
      if (before !== null) {
        work.consumption[type] = before;
        work.substitutes[type] = { method: "previous-period", previous: fromMilli(before), devices };
      } else if (measuredUnits === 0 || measuredArea === 0) {
        work.consumption[type] = 0;
        work.substitutes[type] = { method: "no-basis", devices };
      } else {
        const perM2 = measuredMilli / measuredArea;
        work.consumption[type] = Math.round(perM2 * work.unit.areaM2);
        work.substitutes[type] = { method: "average-per-m2", perM2: Math.round(perM2) / 1e3, devices };
      }
      work.estimated.push(type);
    }
  }
  for (let w = 0; w < works.length; w++) {
    const work = works[w];
    if (work.estimated.length > 1)
      work.estimated.sort((a, b) => COST_TYPES.indexOf(a) - COST_TYPES.indexOf(b));
    if (work.segments.length > 1)
      for (const type of billed)
        work.split[type] = occupancyReadings(work, type, boundaries, period);
  }
  const hkvoTypes = HKVO_COST_TYPES.filter((type) => billed.includes(type));
  for (let w = 0; w < works.length; w++) {
    const work = works[w];
    if (!hasTenant(work))
      continue;
    if (!work.notRemote)
      continue;
    const remote = remoteReadingCut(
      hkvoTypes.flatMap((type) => devicesOf(work, type)),
      period
    );
    if (remote)
      work.cuts.push({ input: "no-remote-reading", source: "automatic", explanation: remote });
  }
  const byId = parameters.manualCuts.length === 0 ? null : new Map(works.map((work) => [work.unit.id, work]));
  parameters.manualCuts.forEach((manual, index) => {
    const targets = manual.unitId === null ? works : [byId.get(manual.unitId)];
    for (const work of targets) {
      work.cuts.push({ input: manual.cut, source: "manual", explanation: manual.reason.trim() });
      const overlap = overlappingCut(work.cuts.map((c2) => c2.input));
      if (overlap) {
        throw new ValidationError(
          `manualCuts[${index}].cut`,
          `${work.unit.label}: diese K\xFCrzung wird bereits angewandt (${work.cuts[overlap.earlier].source === "automatic" ? "automatisch" : "von Ihnen"}: ${CUT_TITLES[reasonOf(work.cuts[overlap.earlier].input)]}).`
        );
      }
    }
  });
  const hotWaterM3 = parameters.hotWaterM3Entered !== null ? { value: parameters.hotWaterM3Entered, source: "entered" } : { value: fromMilli(works.reduce((sum, w) => sum + w.consumption.hotWater, 0)), source: "meters" };
  const plant = plantSummary(request2.costs, hotWaterM3);
  let input2 = engineInput(works, request2, plant, billed);
  let result = engine(input2);
  const byArea = hkvoTypes.filter((type) => result.methods[type] === "area" && centsOf(result, type) > 0);
  if (byArea.length > 0) {
    const totalArea = works.reduce((sum, w) => sum + w.unit.areaM2, 0);
    for (const type of byArea) {
      const estimatedArea = works.filter((w) => w.estimated.includes(type)).reduce((sum, w) => sum + w.unit.areaM2, 0);
      const explanation = notByConsumptionExplanation(
        type,
        estimatedArea * 4 > totalArea ? Math.round(estimatedArea * 1e3 / totalArea) / 10 : null
      );
      for (let w = 0; w < works.length; w++) {
        const work = works[w];
        if (!hasTenant(work))
          continue;
        if (work.cuts.some((c2) => c2.input === "not-consumption-based" || c2.input === `not-consumption-based:${type}`))
          continue;
        work.cuts.push({ input: `not-consumption-based:${type}`, source: "automatic", explanation });
      }
    }
    input2 = engineInput(works, request2, plant, billed);
    result = engine(input2);
  }
  const context = {
    period: facts2.period,
    asOf: facts2.asOf,
    since: facts2.monthlyInformationSince,
    co2Explanation: co2Cut(
      period,
      request2.costs.filter((c2) => c2.kind === "fuel").map((c2) => c2.category),
      parameters.co2Kg !== null
    ),
    hkvoTypes
  };
  const units = works.map((work, index) => statementUnit(work, result.units[index], context));
  creditCo2(units, result.co2?.landlordCost ?? 0);
  return {
    input: input2,
    statement: {
      stored: null,
      organisationName: facts2.organisationName,
      property: facts2.property,
      period,
      parameters,
      costs: request2.costs,
      summary: {
        methods: result.methods,
        warnings: result.warnings,
        ...result.combined && { combined: result.combined },
        ...result.co2 && { co2: result.co2 },
        plant,
        heatingUnit: heatingType === "HKV" ? "HKV-Einheiten" : "kWh",
        costTypes: billed
      },
      units
    }
  };
}
var reasonOf = (input2) => CUT_RULES[input2].reason;
function hasTenant(work) {
  return work.segments.some((s) => s.tenancyId !== null);
}
function centsOf(result, type) {
  let cents = 0;
  for (let u = 0; u < result.units.length; u++) {
    const unit = result.units[u];
    cents += toCentsInt(unit[type]);
  }
  return cents;
}
function occupancyReadings(work, type, boundaries, period) {
  if (work.estimated.includes(type))
    return null;
  const devices = devicesOf(work, type);
  const milli = [];
  let sum = 0;
  for (const segment of work.segments) {
    const from = boundaries.of(segment.from);
    const until = boundaries.of(boundaries.after(segment.to));
    let segmentSum = 0;
    for (const device of devices) {
      const value = consumptionMilli(device.readings, from, until, segment.from === period.start, segment.to === period.end);
      if (value === null)
        return null;
      segmentSum += value;
    }
    milli.push(segmentSum);
    sum += segmentSum;
  }
  return sum === work.consumption[type] ? milli : null;
}
function engineInput(works, request2, plant, billed) {
  const { parameters, period } = request2;
  const hotWater = billed.includes("hotWater");
  const units = works.map((work) => ({
    id: String(work.unit.id),
    area: work.unit.areaM2,
    heating: fromMilli(work.consumption.heating),
    hotWater: fromMilli(work.consumption.hotWater),
    coldWater: fromMilli(work.consumption.coldWater),
    estimated: work.estimated,
    cuts: work.cuts.map((c2) => c2.input),
    occupancies: work.segments.length < 2 ? [] : work.segments.map((segment, index) => ({
      id: segment.key,
      from: segment.from,
      to: segment.to,
      heating: occupancyValue(work, "heating", index, billed),
      hotWater: occupancyValue(work, "hotWater", index, billed),
      coldWater: occupancyValue(work, "coldWater", index, billed)
    }))
  }));
  const agreed = (flag) => flag ? { agreed: true } : {};
  return {
    period,
    heating: { cost: hotWater ? 0 : plant.cost, consumptionShare: parameters.heatingConsumptionShare, ...agreed(parameters.heatingAgreed) },
    ...hotWater && {
      hotWater: { cost: 0, consumptionShare: parameters.hotWaterConsumptionShare, ...agreed(parameters.hotWaterAgreed) }
    },
    ...billed.includes("coldWater") && {
      coldWater: { cost: parameters.coldWaterCost, consumptionShare: parameters.coldWaterConsumptionShare }
    },
    units,
    ...hotWater && {
      combined: {
        cost: plant.cost,
        energyKwh: plant.energyKwh,
        hotWaterKwh: parameters.hotWaterMethod === "measured" ? parameters.hotWaterKwhMeasured : null,
        hotWaterM3: parameters.hotWaterMethod === "volume" ? plant.hotWaterM3 : null,
        hotWaterTempC: parameters.hotWaterMethod === "volume" ? parameters.hotWaterTempC : null,
        districtHeating: parameters.districtHeating,
        grossCalorific: parameters.grossCalorific,
        area: parameters.heatedAreaM2
      }
    },
    ...parameters.co2Kg !== null && parameters.co2Cost !== null && {
      co2: { kg: parameters.co2Kg, cost: parameters.co2Cost, area: parameters.heatedAreaM2 }
    }
  };
}
function occupancyValue(work, type, index, billed) {
  if (!billed.includes(type))
    return 0;
  const split = work.split[type];
  return split === null ? null : fromMilli(split[index]);
}
var hkvoCents = (row) => ({
  heating: toCentsInt(row.heating),
  hotWater: toCentsInt(row.hotWater)
});
function amountsOf(row, cutCentsTotal) {
  const total = toCentsInt(row.heating) + toCentsInt(row.hotWater) + toCentsInt(row.coldWater) - cutCentsTotal;
  return {
    heating: row.heating,
    hotWater: row.hotWater,
    coldWater: row.coldWater,
    cut: fromCentsInt(cutCentsTotal),
    total: fromCentsInt(total),
    co2Credit: 0,
    amountDue: fromCentsInt(total)
  };
}
function engineCut(cut, amountCents) {
  const reason = reasonOf(cut.input);
  return {
    reason,
    input: cut.input,
    costTypes: costTypesOf(cut.input),
    percent: STATEMENT_CUT_PERCENT[reason],
    source: cut.source,
    explanation: cut.explanation,
    amount: fromCentsInt(amountCents)
  };
}
var NO_TENANT_CUTS = [];
function tenantCuts(segment, tenancy, cents, context, informationOwed) {
  if (segment.tenancyId === null || !tenancy)
    return NO_TENANT_CUTS;
  const cuts = [];
  if (informationOwed) {
    const monthly = monthlyInformationCut(tenancy, context.period, context.asOf, context.since);
    if (monthly)
      cuts.push({ reason: "no-monthly-info", explanation: monthly });
  }
  if (context.co2Explanation)
    cuts.push({ reason: "co2-not-shown", explanation: context.co2Explanation });
  if (cuts.length === 0)
    return NO_TENANT_CUTS;
  return cuts.map(({ reason, explanation }) => {
    const percent = STATEMENT_CUT_PERCENT[reason];
    const amount = cutCents(cents, context.hkvoTypes, percent);
    return {
      cents: amount,
      cut: {
        reason,
        input: null,
        costTypes: [...context.hkvoTypes],
        percent,
        source: "automatic",
        explanation,
        amount: fromCentsInt(amount)
      }
    };
  });
}
var consumptionOf = (milli) => ({
  heating: fromMilli(milli.heating),
  hotWater: fromMilli(milli.hotWater),
  coldWater: fromMilli(milli.coldWater)
});
var NO_CENTS = [];
function statementUnit(work, unitResult, context) {
  const { unit, segments } = work;
  const informationOwed = work.remoteInformation;
  const unitCents = hkvoCents(unitResult);
  const unitEngineCents = work.cuts.length === 0 ? NO_CENTS : work.cuts.map((cut) => cutCents(unitCents, costTypesOf(cut.input), STATEMENT_CUT_PERCENT[reasonOf(cut.input)]));
  const engineCutCents = toCentsInt(unitResult.cut);
  const consumption = consumptionOf(work.consumption);
  let cutDetails;
  let amounts;
  let occupancies;
  if (segments.length < 2) {
    const segment = segments[0];
    const tenancy = unit.tenancies.find((t) => t.id === segment.tenancyId);
    const own = tenantCuts(segment, tenancy, unitCents, context, informationOwed);
    let ownCents = 0;
    cutDetails = [];
    for (let i = 0; i < work.cuts.length; i++)
      cutDetails.push(engineCut(work.cuts[i], unitEngineCents[i]));
    for (const c2 of own) {
      ownCents += c2.cents;
      cutDetails.push(c2.cut);
    }
    amounts = amountsOf(unitResult, engineCutCents + ownCents);
    const occupancy = {
      key: segment.key,
      tenancyId: segment.tenancyId,
      tenantName: segment.tenantName,
      from: segment.from,
      to: segment.to,
      consumption,
      fixedKeysOnly: [],
      amounts,
      cutDetails,
      derivation: null
    };
    occupancies = [occupancy];
  } else {
    occupancies = occupancyData(work, unitResult, unitEngineCents, context, informationOwed);
    const tenantCents = occupancies.reduce((sum, o) => sum + toCentsInt(o.amounts.cut), 0) - engineCutCents;
    cutDetails = [...work.cuts.map((cut, i) => engineCut(cut, unitEngineCents[i])), ...unitTenantCuts(occupancies)];
    amounts = amountsOf(unitResult, engineCutCents + tenantCents);
  }
  return {
    unitId: unit.id,
    label: unit.label,
    floor: unit.floor,
    areaM2: unit.areaM2,
    consumption,
    estimated: work.estimated,
    substitutes: work.substitutes,
    cuts: work.cuts.map((c2) => c2.input),
    cutDetails,
    previous: {
      heating: work.previous.heating === null ? null : fromMilli(work.previous.heating),
      hotWater: work.previous.hotWater === null ? null : fromMilli(work.previous.hotWater),
      coldWater: work.previous.coldWater === null ? null : fromMilli(work.previous.coldWater)
    },
    readings: work.readings,
    amounts,
    derivation: unitResult.derivation,
    occupancies
  };
}
function occupancyData(work, unitResult, unitEngineCents, context, informationOwed) {
  const { unit, segments } = work;
  const tenancyOf = (segment) => unit.tenancies.find((t) => t.id === segment.tenancyId);
  const occupancyResults = unitResult.occupancies ?? [];
  const occupancies = segments.map((segment, index) => {
    const row = occupancyResults[index];
    const ownEngineCents = toCentsInt(row.cut);
    const shares = ownEngineCents === 0 ? unitEngineCents.map(() => 0) : splitByWeights(ownEngineCents, unitEngineCents);
    const own = tenantCuts(segment, tenancyOf(segment), hkvoCents(row), context, informationOwed);
    const ownCents = own.reduce((sum, c2) => sum + c2.cents, 0);
    const derivation = unitResult.derivation.occupancies?.[index] ?? null;
    return {
      key: segment.key,
      tenancyId: segment.tenancyId,
      tenantName: segment.tenantName,
      from: segment.from,
      to: segment.to,
      consumption: perCostType(() => 0),
      fixedKeysOnly: derivation?.fixedKeysOnly ?? [],
      amounts: amountsOf(row, ownEngineCents + ownCents),
      cutDetails: [...work.cuts.map((cut, i) => engineCut(cut, shares[i])).filter((c2) => c2.amount > 0), ...own.map((c2) => c2.cut)],
      derivation
    };
  });
  fillOccupancyConsumption(work, occupancies);
  return occupancies;
}
function unitTenantCuts(occupancies) {
  const byReason = /* @__PURE__ */ new Map();
  const tenants = occupancies.filter((o) => o.cutDetails.some((c2) => c2.input === null)).length;
  for (const occupancy of occupancies) {
    for (const cut of occupancy.cutDetails) {
      if (cut.input !== null)
        continue;
      const explanation = tenants > 1 ? `Nutzung ${formatDate2(occupancy.from)}\u2013${formatDate2(occupancy.to)}: ${cut.explanation}` : cut.explanation;
      const known = byReason.get(cut.reason);
      if (!known)
        byReason.set(cut.reason, { ...cut, explanation });
      else
        byReason.set(cut.reason, {
          ...known,
          explanation: `${known.explanation} ${explanation}`,
          amount: fromCentsInt(toCentsInt(known.amount) + toCentsInt(cut.amount))
        });
    }
  }
  return [...byReason.values()];
}
function fillOccupancyConsumption(work, occupancies) {
  let days = null;
  let degreeDays = null;
  for (const type of COST_TYPES) {
    const split = work.split[type];
    let milli;
    if (split !== null)
      milli = split;
    else if (work.consumption[type] === 0)
      milli = occupancies.map(() => 0);
    else if (type === "heating")
      milli = splitByWeights(work.consumption[type], degreeDays ??= occupancies.map((o) => degreeDayUnits(o.from, o.to)));
    else
      milli = splitByWeights(work.consumption[type], days ??= occupancies.map((o) => daysOf(o.from, o.to)));
    occupancies.forEach((o, j) => o.consumption[type] = fromMilli(milli[j]));
  }
}
function creditCo2(units, landlordCost) {
  const weight = (a) => toCentsInt(a.heating) + toCentsInt(a.hotWater);
  const totalCents = toCentsInt(landlordCost);
  const weights = units.map((u) => weight(u.amounts));
  if (totalCents === 0 || weights.every((w) => w === 0))
    return;
  const credits = splitByWeights(totalCents, weights);
  units.forEach((unit, index) => {
    const credit = credits[index];
    setCredit(unit.amounts, credit);
    if (unit.occupancies.length < 2)
      return;
    const shares = credit === 0 ? unit.occupancies.map(() => 0) : splitByWeights(
      credit,
      unit.occupancies.map((o) => weight(o.amounts))
    );
    unit.occupancies.forEach((o, j) => setCredit(o.amounts, shares[j]));
  });
}
function setCredit(amounts, creditCents) {
  amounts.co2Credit = fromCentsInt(creditCents);
  amounts.amountDue = fromCentsInt(toCentsInt(amounts.total) - creditCents);
}

// domain/billing/example-request.ts
var EXAMPLE_PERIOD = { start: "2025-01-01", end: "2025-12-31" };
function exampleStatementRequest(propertyId) {
  return {
    propertyId,
    period: { ...EXAMPLE_PERIOD },
    costs: [
      {
        kind: "fuel",
        category: "Erdgas",
        description: "Jahresabrechnung Gas",
        invoiceDate: "2026-01-20",
        amount: 1e4,
        taxesAndLevies: 2e3,
        kwh: 1e5,
        litres: null
      },
      {
        kind: "operating",
        category: "Betriebsstrom",
        description: null,
        invoiceDate: null,
        amount: 300,
        taxesAndLevies: null,
        kwh: null,
        litres: null
      },
      {
        kind: "operating",
        category: "Messger\xE4temiete",
        description: null,
        invoiceDate: null,
        amount: 450,
        taxesAndLevies: null,
        kwh: null,
        litres: null
      },
      {
        kind: "operating",
        category: "Abrechnungskosten",
        description: null,
        invoiceDate: null,
        amount: 250,
        taxesAndLevies: null,
        kwh: null,
        litres: null
      }
    ],
    parameters: {
      heatingConsumptionShare: 0.7,
      hotWaterConsumptionShare: 0.7,
      heatingAgreed: false,
      hotWaterAgreed: false,
      coldWaterCost: 1e3,
      coldWaterConsumptionShare: 1,
      hotWaterMethod: "volume",
      hotWaterTempC: 60,
      hotWaterKwhMeasured: null,
      hotWaterM3Entered: null,
      districtHeating: false,
      grossCalorific: false,
      co2Kg: 2e4,
      co2Cost: 900,
      heatedAreaM2: null,
      manualCuts: []
    }
  };
}

// server/pdf.ts
import puppeteer from "puppeteer-core";

// server/config.ts
import os from "node:os";
import path from "node:path";
import { z } from "zod";
var port = z.coerce.number().int().min(1).max(65535);
var millis = z.coerce.number().int("muss eine ganze Zahl (Millisekunden) sein").min(0).max(864e5);
var deadline = z.coerce.number().int("muss eine ganze Zahl (Millisekunden) sein").min(1).max(6e5);
var optionalText = z.string().trim().transform((value) => value || void 0).optional();
var schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** The application role's connection: owns nothing, reads and appends. */
  DATABASE_URL: z.string().url({ message: "muss eine postgres://-URL sein" }).optional(),
  /**
   * The owner role's connection, for migrations only (it owns the tables and grants the application
   * role its rights); absent: migrations run on DATABASE_URL.
   */
  DATABASE_OWNER_URL: z.string().url({ message: "muss eine postgres://-URL sein" }).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).default("127.0.0.1:7233"),
  TEMPORAL_NAMESPACE: z.string().min(1).default("default"),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default("klarmeter"),
  TEMPORAL_UI_URL: optionalText,
  SESSION_SECRET: z.string().min(16, "muss mindestens 16 Zeichen haben").optional(),
  DOCUMENT_KEY: z.string().regex(/^[0-9a-f]{64}$/i, "muss 32 Bytes als Hex (64 Zeichen) sein").optional(),
  /**
   * The installation's Ed25519 key that signs every proof head and the audit log's head (PKCS#8 PEM,
   * or base64 of its DER). Never stored in the database or in git; in development generated into
   * .data/secrets.json by `npm start`.
   */
  PROOF_SIGNING_KEY: optionalText,
  /** Public keys of earlier signing keys (after a rotation): SPKI PEMs, or base64 DER separated by commas. */
  PROOF_PREVIOUS_PUBLIC_KEYS: optionalText,
  SMTP_URL: optionalText,
  MAIL_FROM: z.string().default("Klarmeter <noreply@klarmeter.local>"),
  PORT: port.default(3e3),
  PUBLIC_URL: z.string().url({ message: "muss eine URL sein" }).optional(),
  PUPPETEER_EXECUTABLE_PATH: z.string().default("/usr/bin/chromium"),
  COOKIE_SECURE: z.enum(["true", "false", "auto"]).default("auto"),
  /** Express `trust proxy`: unset trusts no proxy (the socket's address is the client's). */
  TRUST_PROXY: optionalText,
  /** Requests per minute an API token may make (a token bucket of this size); a token can set its own. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int("muss eine ganze Zahl sein").min(1).max(1e6).default(600),
  // Database limits in milliseconds (0 disables one); see docs/operations/README.md "Timeouts".
  DB_STATEMENT_TIMEOUT_MS: millis.default(15e3),
  DB_LOCK_TIMEOUT_MS: millis.default(5e3),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: millis.default(6e4),
  DB_POOL_ACQUIRE_TIMEOUT_MS: millis.default(5e3),
  DB_CONNECT_TIMEOUT_MS: millis.default(5e3),
  /** `npm run migrate` and `npm run seed`: long maintenance work gets a larger statement limit. */
  DB_MAINTENANCE_STATEMENT_TIMEOUT_MS: millis.default(6e5),
  DB_MAINTENANCE_LOCK_TIMEOUT_MS: millis.default(6e4),
  // Deadlines of the Temporal calls web requests make, in milliseconds; see docs/operations/README.md
  // "Outages and crashes": an outage is known (503 page, "wird bearbeitet") within these.
  /** Whether Temporal answers at all, asked before an update (a short one). */
  TEMPORAL_REACHABLE_WITHIN_MS: deadline.default(2e3),
  /** An update (approve, deliver, objection …): it may run activities, so it may take a while. */
  TEMPORAL_UPDATE_TIMEOUT_MS: deadline.default(2e4),
  /** A detail page's live status query; past it the page shows what the database knows. */
  TEMPORAL_QUERY_TIMEOUT_MS: deadline.default(2e3),
  /** Delivering a user action's outbox entry right after its commit; past it the relay takes over. */
  OUTBOX_DELIVERY_DEADLINE_MS: deadline.default(5e3),
  // Local services of `npm start` (development defaults).
  EMBEDDED_PG_PORT: port.default(54329),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: optionalText,
  XDG_CACHE_HOME: optionalText,
  // `npm run cluster` (the production topology on one machine).
  CLUSTER_HTTP_PORT: port.default(3100),
  /** Comma-separated ports of the web processes; default the two after CLUSTER_HTTP_PORT. */
  CLUSTER_WEB_PORTS: z.string().regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, "eine Liste von Portnummern, durch Kommas getrennt").transform((value) => value.split(",").map((p) => port.parse(p.trim()))).optional(),
  CLUSTER_WORKERS: z.coerce.number().int().min(1).default(2),
  CLUSTER_DEMO_WORKFLOWS: z.enum(["true", "false"]).default("true"),
  CLUSTER_DATA_DIR: optionalText,
  CLUSTER_PG_PORT: port.default(54339),
  CLUSTER_TEMPORAL_PORT: port.default(7333),
  // Test services.
  TEST_DATABASE_URL: optionalText,
  TEST_TEMPORAL_ADDRESS: optionalText
});

// server/statement-documents.ts
import { createHash as createHash2 } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path2 from "node:path";
import Handlebars from "handlebars";

// db/audit.ts
import { createHash } from "node:crypto";
import { Op, QueryTypes as QueryTypes2 } from "sequelize";

// db/heads.ts
import { QueryTypes } from "sequelize";

// db/audit.ts
var GENESIS_HASH = "0".repeat(64);

// server/documents.ts
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// server/statement-documents.ts
var fixedFormats = /* @__PURE__ */ new Map();
var de = (value, decimals) => {
  let format = fixedFormats.get(decimals);
  if (!format)
    fixedFormats.set(
      decimals,
      format = new Intl.NumberFormat("de-DE", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    );
  return format.format(value);
};
var quantityFormat = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 3 });
var berlinDate = new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", day: "2-digit", month: "2-digit", year: "numeric" });
var euro = new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" });
function formatNumber(value, decimals) {
  if (typeof value !== "number" || !Number.isFinite(value))
    return "\u2013";
  const places = typeof decimals === "number" ? decimals : 0;
  return de(value, places);
}
function formatDate3(value) {
  if (typeof value !== "string" || value === "")
    return "\u2013";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return value.split("-").reverse().join(".");
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? value : berlinDate.format(instant);
}
function signedPercent(value) {
  if (typeof value !== "number" || !Number.isFinite(value))
    return "\u2013";
  return `${value > 0 ? "+" : value < 0 ? "\u2212" : "\xB1"}${de(Math.abs(value), 2)} %`;
}
var handlebars = Handlebars.create();
handlebars.registerHelper("euro", (value) => typeof value === "number" && Number.isFinite(value) ? euro.format(value) : "\u2013");
handlebars.registerHelper("number", (value, decimals) => formatNumber(value, decimals));
handlebars.registerHelper(
  "quantity",
  (value) => typeof value === "number" && Number.isFinite(value) ? quantityFormat.format(value) : "\u2013"
);
handlebars.registerHelper("date", (value) => formatDate3(value));
handlebars.registerHelper("percent", (value, decimals) => `${formatNumber(value, decimals)} %`);
handlebars.registerHelper("signedPercent", (value) => signedPercent(value));
handlebars.registerHelper("minus", (value) => typeof value === "number" ? euro.format(-value) : "\u2013");

// db/seed/random.ts
function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    /** Picks by weight: [[value, weight], ...]. */
    weighted: (items) => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [value, weight] of items) {
        roll -= weight;
        if (roll < 0)
          return value;
      }
      return items[items.length - 1][0];
    }
  };
}

// scripts/bench/billing.ts
var PERIOD = { start: "2025-01-01", end: "2025-12-31" };
var PDF_COUNT = Number(process.env.BENCH_PDFS ?? 40);
var PDF_CONCURRENCY = Number(process.env.BENCH_PDF_CONCURRENCY ?? Math.max(1, Math.min(4, cpus().length)));
var point = (day, value) => ({ day, at: Date.parse(`${day}T04:00:00Z`), value, setDateValue: null });
function syntheticFacts(size, seed = size) {
  const random = seededRandom(seed);
  const end = addDays(PERIOD.end, 1);
  let deviceId = 0;
  const units = Array.from({ length: size }, (_, i) => {
    const id = i + 1;
    const change = i % 20 === 7 ? "2025-06-16" : null;
    const missing = i % 50 === 13;
    const device = (type, perYear, decimals) => {
      const start = random.int(0, 5e3);
      const round3 = (v) => Number(v.toFixed(decimals));
      const readings = [point(PERIOD.start, start)];
      if (change)
        readings.push(point(change, round3(start + perYear * 0.6)));
      if (!missing || type !== "HKV")
        readings.push(point(end, round3(start + perYear)));
      return {
        id: ++deviceId,
        serial: `${type}-${deviceId}`,
        type,
        location: null,
        installedAt: "2020-01-01",
        remoteReadable: true,
        readings
      };
    };
    const area = random.int(38, 118);
    return {
      id,
      label: `Whg. ${Math.floor(i / 8)}.${String(i % 8 + 1).padStart(2, "0")}`,
      floor: null,
      areaM2: area,
      devices: [
        ...Array.from({ length: 4 }, () => device("HKV", random.int(150, 900), 0)),
        device("WZ-W", area * (0.2 + random.next() * 0.2), 3),
        device("WZ-K", area * (0.4 + random.next() * 0.4), 3)
      ],
      tenancies: change ? [
        { id: id * 2, tenantName: `Mieter ${id}a`, startsOn: "2015-01-01", endsOn: addDays(change, -1) },
        { id: id * 2 + 1, tenantName: `Mieter ${id}b`, startsOn: change, endsOn: null }
      ] : [{ id: id * 2, tenantName: `Mieter ${id}`, startsOn: "2015-01-01", endsOn: null }]
    };
  });
  return {
    organisationName: "Benchmark Immobilien",
    property: {
      id: 1,
      organisationId: 1,
      name: "Benchmarkstra\xDFe 1",
      street: "Benchmarkstra\xDFe 1",
      postalCode: "10115",
      city: "Berlin",
      federalState: "BE"
    },
    period: PERIOD,
    units
  };
}
function requestFor(size) {
  const request2 = exampleStatementRequest(1);
  const scale = Math.max(1, Math.round(size / 4));
  return {
    ...request2,
    costs: request2.costs.map((line) => ({
      ...line,
      amount: line.amount * scale,
      taxesAndLevies: line.taxesAndLevies && line.taxesAndLevies * scale,
      kwh: line.kwh && line.kwh * scale
    })),
    parameters: {
      ...request2.parameters,
      coldWaterCost: request2.parameters.coldWaterCost * scale,
      co2Kg: request2.parameters.co2Kg * scale,
      co2Cost: request2.parameters.co2Cost * scale
    }
  };
}

// ../../tmp/prof-assembly.ts
var facts = syntheticFacts(1e4);
var request = requestFor(1e4);
var mode = process.argv[2] ?? "assembly";
for (let i = 0; i < 5; i++)
  assembleStatement(facts, request);
var { input } = assembleStatement(facts, request);
var t0 = performance.now();
var c0 = process.cpuUsage();
for (let i = 0; i < 40; i++)
  mode === "engine" ? computeAssembledBilling(input) : assembleStatement(facts, request);
var c = process.cpuUsage(c0);
console.log(mode, ((performance.now() - t0) / 40).toFixed(1), "ms wall", ((c.user + c.system) / 1e3 / 40).toFixed(1), "ms cpu");
