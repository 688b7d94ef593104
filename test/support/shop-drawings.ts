/** The demo shop's two modes, drawn at the demo's timings, for analysis and CLI tests. */
import { timeline } from './timeline';

//  0        100       200       300       400       500       600     680
//  gateway  [=================================================== ]
//  orders    [================================================== ]
//  payments   [==]
//  inventory      [=]
//  email             [=========================================]
//  analytics                                                [====]
export const sync = timeline(`
  gateway   | POST /orders       | server | 0-680
    gateway | gateway → orders   | client | 1-679
      orders   | POST /orders    | server | 2-678
        orders | orders → payments | client | 3-105
          payments | POST /charge | server | 4-104
        orders | orders → inventory | client | 106-128
          inventory | POST /reserve | server | 107-127
        orders | orders → email  | client | 130-632
          email | POST /send     | server | 131-631
        orders | orders → analytics | client | 633-676
          analytics | POST /track | server | 634-675
`);

//  gateway  [==========]                      (≈100 ms)
//  orders    [========]
//  payments   [==] inventory [=] publish [.]
//  email                          process order.created [=================]  (async)
//  analytics                      process order.created [====]              (async)
export const events = timeline(`
  gateway   | POST /orders       | server | 0-132
    gateway | gateway → orders   | client | 1-131
      orders   | POST /orders    | server | 2-130
        orders | orders → payments | client | 3-105
          payments | POST /charge | server | 4-104
        orders | orders → inventory | client | 106-126
          inventory | POST /reserve | server | 107-125
        orders | publish order.created | producer | 126-128 | messaging.system=queue messaging.destination.name=order.created
          email | process order.created (email) | consumer | 140-642 | link=publish_order.created messaging.system=queue error
            email | send confirmation email | internal | 141-641 | error
          analytics | process order.created (analytics) | consumer | 140-192 | link=publish_order.created messaging.system=queue
`);


/** An order whose payment failed: six spans, six nodes in three services. */
export const failedPayment = timeline(`
  gateway   | POST /orders       | server | 0-300 | error
    gateway | gateway → orders   | client | 5-295 | error
      orders   | POST /orders    | server | 10-290 | error
        orders | SELECT order    | client | 12-18  | db.system.name=postgresql
        orders | orders → payments | client | 20-280 | error
          payments | POST /charge | server | 30-270 | error
`);

/** Six identical queries, one after another, for one request: an N+1. */
export const nPlusOneQueries = timeline(`
  orders | GET /orders | server | 0-130
    orders | SELECT item | client | 5-25 | db.system.name=postgresql
    orders | SELECT item | client | 25-45 | db.system.name=postgresql
    orders | SELECT item | client | 45-65 | db.system.name=postgresql
    orders | SELECT item | client | 65-85 | db.system.name=postgresql
    orders | SELECT item | client | 85-105 | db.system.name=postgresql
    orders | SELECT item | client | 105-125 | db.system.name=postgresql
`);
