/**
 * Column values in each encoding the connector and the JSON converter
 * write, decoded exactly: decimals in every mode, int64 extremes, every
 * temporal encoding (µs kept), and the other types. Messages are built by
 * the test encoder from the documented formats (testing/debezium-encoder.ts).
 */
import { describe, expect, it } from 'vitest';
import { Decimal, InvalidInputError, binary, bool, date, decimal, float64, int32, int64, mysqlTable, string, timestamp, type DType } from '@asof/core';
import { createDebeziumDecoder, type DebeziumDecoderOptions } from './index.js';
import { DOCS_DECIMAL_FIELD } from './testing/fixtures/mysql-docs.js';
import { changeOf, deadLetterOf } from './testing/outcomes.js';

/** A one-column table `t` (plus id and updated_at) and a message whose `after` holds `value`, with `field` as its schema if given. */
function setup(dtype: DType, options: Partial<DebeziumDecoderOptions> = {}) {
  const source = mysqlTable({
    name: 't',
    table: 't',
    primaryKey: ['id'],
    timestampField: 'updated_at',
    updatedAtField: 'updated_at',
    columns: { id: int64(), v: dtype, updated_at: timestamp() },
  });
  const decoder = createDebeziumDecoder({ sources: [source], topicPrefix: 'p', timestampUnits: { default: 'us' }, ...options });
  const sourceBlock = '{"version":"2.7.3.Final","connector":"mysql","name":"p","ts_ms":1700000000000,"snapshot":"false","db":"d","table":"t","server_id":1,"gtid":null,"file":"mysql-bin.000001","pos":4,"row":0}';
  const decode = (valueJson: string, field?: string) => {
    const after = `{"id":1,"v":${valueJson},"updated_at":1700000000000001}`;
    const payload = `{"before":null,"after":${after},"source":${sourceBlock},"op":"c","ts_ms":1700000000001}`;
    if (field === undefined) return decoder.decode({ topic: 'p.d.t', value: payload });
    const row = `{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},${field.replace(/"field":"[^"]*"/, '"field":"v"')},{"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"updated_at"}],"optional":true,"name":"p.d.t.Value"}`;
    const schema = `{"type":"struct","fields":[${row.replace(/}$/, ',"field":"before"}')},${row.replace(/}$/, ',"field":"after"}')},{"type":"struct","fields":[],"optional":false,"name":"io.debezium.connector.mysql.Source","field":"source"},{"type":"string","optional":false,"field":"op"}],"optional":false,"name":"p.d.t.Envelope"}`;
    return decoder.decode({ topic: 'p.d.t', value: `{"schema":${schema},"payload":${payload}}` });
  };
  const value = (valueJson: string, field?: string) => changeOf(decode(valueJson, field), 'upsert').row.v;
  return { decode, value };
}

const decimalField = (p: number, s: number) =>
  `{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"${s}","connect.decimal.precision":"${p}"},"field":"v"}`;
const dec = (text: string) => Decimal.parse(text);

describe('DECIMAL, precise mode (default): base64 two\'s-complement bytes with the scale parameter', () => {
  it('the documented values: "dzWUAA==" and "AYag" at scale 4 (Debezium Server docs)', () => {
    const { value } = setup(decimal(19, 4));
    expect(value('"dzWUAA=="', DOCS_DECIMAL_FIELD)).toEqual(dec('200000.0000'));
    expect(value('"AYag"', DOCS_DECIMAL_FIELD)).toEqual(dec('10.0000'));
  });

  it('negative, zero, scale > 0, and the largest decimal(38,10)', () => {
    const { value } = setup(decimal(38, 10));
    const b64 = (n: bigint) => {
      const hex = BigInt.asUintN(136, n).toString(16).padStart(34, '0');
      let bytes = Buffer.from(hex, 'hex');
      while (bytes.length > 1 && ((bytes[0] === 0 && bytes[1]! < 0x80) || (bytes[0] === 0xff && bytes[1]! >= 0x80))) bytes = bytes.subarray(1);
      return `"${bytes.toString('base64')}"`;
    };
    const max = 10n ** 38n - 1n;
    expect(value(b64(max), decimalField(38, 10))).toEqual(new Decimal(max, 10));
    expect(value(b64(-max), decimalField(38, 10))).toEqual(new Decimal(-max, 10));
    expect(value(b64(-1n), decimalField(38, 10))).toEqual(new Decimal(-1n, 10));
    expect(value(b64(0n), decimalField(38, 10))).toEqual(new Decimal(0n, 10));
    expect(value('"/w=="', decimalField(38, 10))).toEqual(dec('-0.0000000001'));
    // Without the schema, the declared scale applies.
    expect(value(b64(-123456789n))).toEqual(dec('-0.0123456789'));
  });

  it('the converter\'s decimal.format=numeric: a JSON number, exact as written (JSON.parse would round it)', () => {
    const { value } = setup(decimal(38, 10));
    expect(value('1234567890123456789012345678.9012345678', decimalField(38, 10))).toEqual(dec('1234567890123456789012345678.9012345678'));
    expect(value('-0.5', decimalField(38, 10))).toEqual(dec('-0.5000000000'));
    // BigDecimal.toString writes small values with an exponent.
    expect(value('1.5E-7', decimalField(38, 10))).toEqual(dec('0.0000001500'));
    const numeric = setup(decimal(38, 10), { decimalFormat: 'numeric' });
    expect(numeric.value('9999999999999999999999999999.9999999999')).toEqual(dec('9999999999999999999999999999.9999999999'));
    deadLetterOf(numeric.decode('"AQ=="'), 'bad-value');
  });

  it('VariableScaleDecimal: { scale, value }', () => {
    const { value } = setup(decimal(12, 2));
    const field = '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":true,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal","field":"v"}';
    expect(value('{"scale":1,"value":"BNI="}', field)).toEqual(dec('123.40'));
    expect(value('{"scale":2,"value":"+uo="}')).toEqual(dec('-13.02'));
  });

  it('refuses what does not fit the declared decimal: more digits, more scale, another schema type', () => {
    const { decode } = setup(decimal(4, 2));
    expect(deadLetterOf(decode('"JxA="'), 'bad-value').message).toContain('more than 4 digits'); // 10000 at scale 2 = 100.00
    expect(deadLetterOf(decode('"AA=="', decimalField(4, 3)), 'schema-mismatch').message).toContain('DECIMAL(4,3) in the message, declared decimal(4,2)');
    expect(deadLetterOf(decode('"12.30"'), 'bad-value').message).toContain('decimal.handling.mode=string');
    expect(deadLetterOf(decode('12.3'), 'bad-value').message).toContain('precise decimals arrive as base64 bytes');
    deadLetterOf(decode('"not base64!"'), 'bad-value');
  });
});

describe('DECIMAL, decimal.handling.mode=string', () => {
  it('the plain text, negative and scaled', () => {
    const { value } = setup(decimal(12, 2), { decimalHandlingMode: 'string' });
    expect(value('"-12.30"')).toEqual(dec('-12.30'));
    expect(value('"5"')).toEqual(dec('5.00'));
    expect(value('"9999999999.99"', '{"type":"string","optional":true,"field":"v"}')).toEqual(dec('9999999999.99'));
  });

  it('refuses a value with more fraction digits than declared instead of rounding it', () => {
    const { decode } = setup(decimal(12, 2), { decimalHandlingMode: 'string' });
    expect(deadLetterOf(decode('"1.005"'), 'bad-value').message).toContain('more than 2 digits after the point');
    deadLetterOf(decode('"NaN"'), 'bad-value');
  });
});

describe('DECIMAL, decimal.handling.mode=double', () => {
  it('is refused unless lossy input is accepted, with what to do', () => {
    expect(() => setup(decimal(12, 2), { decimalHandlingMode: 'double' })).toThrow(InvalidInputError);
    const { decode } = setup(decimal(12, 2));
    const letter = deadLetterOf(decode('12.3', '{"type":"double","optional":true,"field":"v"}'), 'bad-value');
    expect(letter.message).toContain('acceptLossyDecimals');
  });

  it('with acceptLossyDecimals: exact up to 15 digits, rounded half-even past them, and counted', () => {
    const lossy = setup(decimal(12, 2), { decimalHandlingMode: 'double', acceptLossyDecimals: true });
    const change = changeOf(lossy.decode('-1234567890.12'), 'upsert');
    expect(change.row.v).toEqual(dec('-1234567890.12'));
    expect(change.decimalsFromDoubles).toBe(1);
    expect(lossy.value('12.3', '{"type":"double","optional":true,"field":"v"}')).toEqual(dec('12.30'));
    const wide = setup(decimal(20, 2), { decimalHandlingMode: 'double', acceptLossyDecimals: true });
    // 123456789012345678.91 as a double is 123456789012345680: the digits past the 17th are gone.
    expect(wide.value('1.2345678901234568E17')).toEqual(dec('123456789012345680.00'));
  });
});

describe('int64 and int32', () => {
  it('int64 extremes stay exact', () => {
    const { value, decode } = setup(int64());
    expect(value('9223372036854775807')).toBe(9223372036854775807n);
    expect(value('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(value('9007199254740993')).toBe(9007199254740993n); // 2^53 + 1
    deadLetterOf(decode('9223372036854775808'), 'bad-value');
    deadLetterOf(decode('1.5'), 'bad-value');
    deadLetterOf(decode('"12"'), 'bad-value');
  });

  it('an int64 a caller already parsed with JSON.parse past 2^53 is refused, not rounded', () => {
    const source = mysqlTable({ name: 't', table: 't', primaryKey: ['id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns: { id: int64(), updated_at: timestamp() } });
    const decoder = createDebeziumDecoder({ sources: [source], topicPrefix: 'p', timestampUnits: { default: 'us' } });
    const value = JSON.parse('{"before":null,"after":{"id":9007199254740993,"updated_at":1},"source":{"ts_ms":1,"db":"d","table":"t","file":"f","pos":1,"row":0},"op":"c"}');
    expect(deadLetterOf(decoder.decode({ topic: 'p.d.t', value }), 'bad-value').message).toContain('pass the raw message text');
  });

  it('BIGINT UNSIGNED in the precise mode (a Decimal of scale 0)', () => {
    const { value, decode } = setup(int64());
    expect(value('"f/////////8="', decimalField(20, 0))).toBe(9223372036854775807n);
    deadLetterOf(decode('"AIAAAAAAAAAA"', decimalField(20, 0)), 'bad-value'); // 2^63 does not fit int64
    const schemaless = setup(int64(), { bigintUnsignedHandlingMode: 'precise' });
    expect(schemaless.value('"AQ=="')).toBe(1n);
  });

  it('int32 range, from int8, int16 and int32 fields', () => {
    const { value, decode } = setup(int32());
    expect(value('2147483647', '{"type":"int32","optional":true,"field":"v"}')).toBe(2147483647);
    expect(value('-128', '{"type":"int8","optional":true,"field":"v"}')).toBe(-128);
    expect(value('2024', '{"type":"int32","optional":true,"name":"io.debezium.time.Year","version":1,"field":"v"}')).toBe(2024);
    deadLetterOf(decode('2147483648'), 'bad-value');
    deadLetterOf(decode('1', '{"type":"int64","optional":true,"field":"v"}'), 'schema-mismatch');
  });
});

describe('timestamps: every encoding, to the µs', () => {
  const micro = '{"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"v"}';
  const milli = '{"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"v"}';
  const nano = '{"type":"int64","optional":true,"name":"io.debezium.time.NanoTimestamp","version":1,"field":"v"}';
  const zoned = '{"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"v"}';
  const iso = '{"type":"string","optional":true,"name":"io.debezium.time.IsoTimestamp","version":1,"field":"v"}';
  const connect = '{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"v"}';

  it('DATETIME(6) as MicroTimestamp keeps every microsecond, before 1970 too', () => {
    const { value } = setup(timestamp());
    expect(value('1718000000123456', micro)).toBe(1718000000123456n);
    expect(value('-1', micro)).toBe(-1n);
    expect(value('253402300799999999', micro)).toBe(253402300799999999n); // 9999-12-31 23:59:59.999999
  });

  it('DATETIME as Timestamp (epoch ms), connect mode, NanoTimestamp', () => {
    const { value, decode } = setup(timestamp());
    expect(value('1529476623000', milli)).toBe(1529476623000000n); // the docs' 2018-06-20 06:37:03
    expect(value('1529476623123', connect)).toBe(1529476623123000n);
    expect(value('1529476623123456000', nano)).toBe(1529476623123456n);
    expect(deadLetterOf(decode('1529476623123456789', nano), 'bad-value').message).toContain('sub-microsecond');
  });

  it('TIMESTAMP as ZonedTimestamp (ISO-8601 with an offset), and isostring DATETIME', () => {
    const { value, decode } = setup(timestamp());
    expect(value('"2018-06-20T13:37:03Z"', zoned)).toBe(1529501823000000n); // the docs' example
    expect(value('"2018-06-20T13:37:03.123456Z"', zoned)).toBe(1529501823123456n);
    expect(value('"2018-06-20T15:37:03.5+02:00"', zoned)).toBe(1529501823500000n);
    expect(value('"2019-07-09T02:28:57.123456Z"', iso)).toBe(1562639337123456n);
    expect(deadLetterOf(decode('"2018-06-20T13:37:03"', zoned), 'bad-value').message).toContain('no UTC offset');
  });

  it('without a schema: ISO text, or an epoch number in the configured unit', () => {
    const { value } = setup(timestamp());
    expect(value('"2018-06-20T13:37:03.000001Z"')).toBe(1529501823000001n);
    expect(value('1718000000123456')).toBe(1718000000123456n);
    const ms = setup(timestamp(), { timestampUnits: { columns: { t: { v: 'ms' } }, default: 'us' } });
    expect(ms.value('1718000000123')).toBe(1718000000123000n);
    const connectMode = setup(timestamp(), { timePrecisionMode: 'connect', timestampUnits: {} });
    expect(connectMode.value('1718000000123')).toBe(1718000000123000n);
  });

  it('an epoch number without a schema or a configured unit is refused (ms or µs would be a guess)', () => {
    const source = mysqlTable({ name: 't', table: 't', primaryKey: ['id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns: { id: int64(), updated_at: timestamp() } });
    const decoder = createDebeziumDecoder({ sources: [source], topicPrefix: 'p' });
    const value = '{"after":{"id":1,"updated_at":1718000000123456},"source":{"ts_ms":1,"db":"d","table":"t","file":"f","pos":1,"row":0},"op":"c"}';
    expect(deadLetterOf(decoder.decode({ topic: 'p.d.t', value }), 'bad-value').message).toContain('set timestampUnits');
  });

  it('a timestamp column whose schema is not a timestamp is a schema mismatch', () => {
    const { decode } = setup(timestamp());
    deadLetterOf(decode('17', '{"type":"int64","optional":true,"field":"v"}'), 'schema-mismatch');
  });
});

describe('dates: epoch days and IsoDate', () => {
  it('io.debezium.time.Date, connect Date, IsoDate, and without a schema', () => {
    const { value, decode } = setup(date());
    expect(value('19000', '{"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"v"}')).toBe(19000);
    expect(value('-719162', '{"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"v"}')).toBe(-719162); // 0001-01-01
    expect(value('"2017-09-15Z"', '{"type":"string","optional":true,"name":"io.debezium.time.IsoDate","version":1,"field":"v"}')).toBe(17424);
    expect(value('"2024-02-29"')).toBe(19782);
    expect(value('17424')).toBe(17424);
    deadLetterOf(decode('"2023-02-29"'), 'bad-value');
    deadLetterOf(decode('1.5'), 'bad-value');
  });
});

describe('the other types', () => {
  it('booleans: BOOLEAN as boolean, TINYINT(1) as an integer (non-zero is true)', () => {
    const { value, decode } = setup(bool());
    expect(value('true', '{"type":"boolean","optional":true,"field":"v"}')).toBe(true);
    expect(value('0', '{"type":"int8","optional":true,"field":"v"}')).toBe(false);
    expect(value('2', '{"type":"int16","optional":true,"field":"v"}')).toBe(true);
    expect(value('1')).toBe(true);
    deadLetterOf(decode('"true"'), 'bad-value');
    deadLetterOf(decode('1', '{"type":"boolean","optional":true,"field":"v"}'), 'bad-value');
  });

  it('doubles exactly, floats widened from their float32, NaN and infinities as Jackson quotes them', () => {
    const { value } = setup(float64());
    expect(value('0.1', '{"type":"double","optional":true,"field":"v"}')).toBe(0.1);
    expect(value('1.0E-300')).toBe(1e-300);
    expect(value('-0.0')).toBe(-0);
    expect(value('1.1', '{"type":"float","optional":true,"field":"v"}')).toBe(Math.fround(1.1));
    expect(value('"NaN"')).toBeNaN();
    expect(value('"-Infinity"')).toBe(-Infinity);
  });

  it('strings: ENUM, SET, JSON and text with escapes', () => {
    const { value, decode } = setup(string());
    expect(value('"paid"', '{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"open,paid,void"},"field":"v"}')).toBe('paid');
    expect(value('"{\\"a\\": 1}"', '{"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"v"}')).toBe('{"a": 1}');
    expect(value('"tab\\there \\"q\\" \\\\ \\u00e9 \\ud83d\\ude00 \\u0000"')).toBe('tab\there "q" \\ é 😀 \u0000');
    deadLetterOf(decode('12'), 'bad-value');
    deadLetterOf(decode('"12:00:00"', '{"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"v"}'), 'schema-mismatch');
  });

  it('bytes: base64 (binary.handling.mode=bytes), hex, and BIT as big-endian bytes', () => {
    const { value } = setup(binary());
    expect(Buffer.from(value('"AQID"', '{"type":"bytes","optional":true,"field":"v"}') as Uint8Array).toString('hex')).toBe('010203');
    expect(Buffer.from(value('"AQI="', '{"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"16"},"field":"v"}') as Uint8Array).toString('hex')).toBe('0201');
    const hex = setup(binary(), { binaryHandlingMode: 'hex' });
    expect(Buffer.from(hex.value('"0aFF"') as Uint8Array).toString('hex')).toBe('0aff');
    deadLetterOf(hex.decode('"0g"'), 'bad-value');
  });

  it('nulls stay null', () => {
    const { value } = setup(decimal(12, 2));
    expect(value('null', decimalField(12, 2))).toBeNull();
  });
});
