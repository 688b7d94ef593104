/** The order the services pass around, and how it shows up on spans. */
import type { Attributes } from '@opentelemetry/api';

export type Mode = 'sync' | 'events';

export interface Order {
  orderId: string;
  items: number;
  mode: Mode;
}

export function orderAttributes(order: unknown): Attributes {
  const o = (typeof order === 'object' && order !== null ? order : {}) as Partial<Order>;
  const attributes: Attributes = {};
  if (typeof o.orderId === 'string') attributes['order.id'] = o.orderId;
  if (typeof o.items === 'number') attributes['order.items'] = o.items;
  return attributes;
}
