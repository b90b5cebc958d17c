import { binary, bool, date, decimal, float64, int32, int64, list, string, timestamp, type DType } from '@asof/core';
import { DataType, type Decimal, type List } from 'apache-arrow';

/** The dtype an Arrow column holds (as `toArrowType` stores it; narrower integers read as int32, dictionaries as their values; others as binary). */
export function dtypeOfArrow(type: DataType): DType {
  if (DataType.isDictionary(type)) return dtypeOfArrow(type.dictionary);
  if (DataType.isInt(type)) return type.bitWidth === 64 || (type.bitWidth === 32 && !type.isSigned) ? int64() : int32();
  if (DataType.isFloat(type)) return float64();
  if (DataType.isBool(type)) return bool();
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return string();
  if (DataType.isTimestamp(type)) return timestamp();
  if (DataType.isDate(type)) return date();
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return binary();
  if (DataType.isDecimal(type)) return decimal((type as Decimal).precision, (type as Decimal).scale);
  if (DataType.isList(type)) return list(dtypeOfArrow((type as List).children[0]!.type));
  // No dtype holds it (a struct, a map): described as bytes, like MySQL's unreadable types, so a declared column mismatches by name.
  return binary();
}
