// A typed client of the Apologismos API: every path, parameter and body comes from
// src/schema.d.ts, which `npm run generate` writes from ../openapi.json.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Plan = components["schemas"]["PlanDetail"];
export type Item = components["schemas"]["ItemPublic"];
export type Problem = components["schemas"]["Problem"];

export function apologismos(baseUrl: string, token?: string) {
  return createClient<paths>({
    baseUrl,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

// What a frontend does; the compiler checks it against the API.
export async function submitPlan(baseUrl: string, token: string, planId: number): Promise<string> {
  const api = apologismos(baseUrl, token);
  const read = await api.GET("/api/v1/plans/{plan_id}", { params: { path: { plan_id: planId } } });
  if (read.error) throw new Error(read.error.detail);
  const etag = read.response.headers.get("ETag") ?? "";
  const done = await api.POST("/api/v1/plans/{plan_id}/submit", {
    params: { path: { plan_id: planId }, header: { "If-Match": etag } },
  });
  if (done.error) throw new Error(done.error.detail);
  return done.data.status;
}
