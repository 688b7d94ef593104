/**
 * The webview's contract (src/protocol/) is declared apart from the types it is made from (src/model/,
 * src/analysis/), so that the webview depends on src/protocol alone. These checks keep the two in step at
 * compile time: each pair must be the same type, both ways, so a field or a union member added, removed
 * or changed on one side and not on the other fails `tsc`. Types only: nothing here runs.
 */
import type { Aggregate, EdgeCall, EndpointStats, ServiceEdge, ServiceNode } from '../analysis/aggregate';
import type { TraceAnalysis } from '../analysis/analyze-trace';
import type { BlockingChain, HopBreakdown } from '../analysis/blocking-chains';
import type { PathSegment } from '../analysis/critical-path';
import type { EdgeMode } from '../analysis/edge-modes';
import type { Cascade, Retry, Timeout } from '../analysis/failures';
import type { Finding, Rule, Severity } from '../analysis/findings';
import type { PauseEffect } from '../analysis/pause-effects';
import type { Repair } from '../analysis/trace-tree';
import type { Change, WhatIf } from '../analysis/what-if';
import type { PlaceCandidate } from '../model/code-place';
import type { DebugPause, PauseReason, SpanPause } from '../model/pause';
import type { AttrValue, Attributes, LogRecord, SpanKind, SpanRecord } from '../model/span';
import type { EdgeExample, ServiceMapEdge, ServiceMapEndpoint, ServiceMapNode, ServiceMapView } from '../protocol/service-map';
import type { DocumentPlace } from '../protocol/trace-document';
import type { ViewPause, ViewPauseReason, ViewStop } from '../protocol/trace-view';
import type {
  ViewAnalysis, ViewBlockingChain, ViewCascade, ViewChange, ViewEdgeMode, ViewFinding, ViewHopBreakdown, ViewPathSegment,
  ViewPauseEffect, ViewRepair, ViewRetry, ViewRule, ViewSeverity, ViewSpanPause, ViewTimeout, ViewWhatIf,
} from '../protocol/view-analysis';
import type { ViewAttrValue, ViewAttributes, ViewLog, ViewSpan, ViewSpanKind } from '../protocol/view-span';

/** true when A and B are the same type (each assignable to the other), else false. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

export type ViewContract = [
  Holds<Same<AttrValue, ViewAttrValue>>,
  Holds<Same<Attributes, ViewAttributes>>,
  Holds<Same<SpanKind, ViewSpanKind>>,
  Holds<Same<SpanRecord, ViewSpan>>,
  Holds<Same<LogRecord, ViewLog>>,
  Holds<Same<EdgeMode, ViewEdgeMode>>,
  Holds<Same<Rule, ViewRule>>,
  Holds<Same<Severity, ViewSeverity>>,
  Holds<Same<Finding, ViewFinding>>,
  Holds<Same<Change, ViewChange>>,
  Holds<Same<WhatIf, ViewWhatIf>>,
  Holds<Same<PathSegment, ViewPathSegment>>,
  Holds<Same<HopBreakdown, ViewHopBreakdown>>,
  Holds<Same<BlockingChain, ViewBlockingChain>>,
  Holds<Same<Cascade, ViewCascade>>,
  Holds<Same<Timeout, ViewTimeout>>,
  Holds<Same<Retry, ViewRetry>>,
  Holds<Same<Repair, ViewRepair>>,
  Holds<Same<SpanPause, ViewSpanPause>>,
  Holds<Same<PauseEffect, ViewPauseEffect>>,
  Holds<Same<TraceAnalysis, ViewAnalysis>>,
  Holds<Same<PauseReason, ViewPauseReason>>,
  Holds<Same<Pick<DebugPause, 'sessionName' | 'startUs' | 'reason' | 'location'>, ViewStop>>,
  Holds<Same<DebugPause['location'], ViewPause['location']>>,
  Holds<Same<PlaceCandidate, DocumentPlace>>,
  Holds<Same<EdgeCall, EdgeExample>>,
  Holds<Same<EndpointStats, ServiceMapEndpoint>>,
  Holds<Same<ServiceNode, ServiceMapNode>>,
  Holds<Same<Omit<ServiceEdge, 'slowest'>, Omit<ServiceMapEdge, 'slowest'>>>,
  Holds<Same<Omit<Aggregate, 'edges'>, Omit<ServiceMapView, 'edges' | 'computedAt' | 'omittedTraces' | 'arrivingTraces'>>>,
];
