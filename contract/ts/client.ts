// A small client built only from the published contract: if the contract changes in a way a
// generated client cannot follow, `tsc --strict` fails here.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema";

type Plan = components["schemas"]["Plan"];
type ProgressReport = components["schemas"]["ProgressReport"];
type Target = components["schemas"]["Target"];

// Lists also answer `Accept: text/csv`: a JSON client names the media types it reads (JSON and
// problem+json), so that `data` is the JSON page rather than a union with the CSV text.
export function connect(baseUrl: string) {
  return createClient<paths, "application/json" | "application/problem+json">({ baseUrl });
}

type Client = ReturnType<typeof connect>;

export async function signIn(client: Client, username: string, password: string): Promise<string> {
  const { data, error } = await client.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (error !== undefined) throw new Error(`${error.status} ${error.title}`);
  return data.access_token;
}

export async function allPlans(client: Client, token: string): Promise<Plan[]> {
  const plans: Plan[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET("/api/v1/plans", {
      params: { query: { limit: 50, cursor } },
      headers: { Authorization: `Bearer ${token}` },
    });
    if (error !== undefined) throw new Error(`${error.status} ${error.title}`);
    plans.push(...data.items);
    cursor = data.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return plans;
}

export async function reportProgress(
  client: Client,
  token: string,
  indicatorId: string,
  value: string,
): Promise<ProgressReport> {
  const { data, error, response } = await client.POST("/api/v1/progress-reports", {
    body: { indicator_id: indicatorId, value, reported_for: "2026-03-31" },
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    headers: { Authorization: `Bearer ${token}` },
  });
  if (error !== undefined) throw new Error(`${error.status} ${error.title}`);
  console.log("created at", response.headers.get("Location"));
  return data;
}

export async function renameTarget(
  client: Client,
  token: string,
  targetId: string,
  title: string,
): Promise<Target> {
  const read = await client.GET("/api/v1/targets/{target_id}", {
    params: { path: { target_id: targetId } },
    headers: { Authorization: `Bearer ${token}` },
  });
  if (read.error !== undefined) throw new Error(`${read.error.status} ${read.error.title}`);
  const etag = read.response.headers.get("ETag") ?? "";
  const { data, error } = await client.PATCH("/api/v1/targets/{target_id}", {
    params: { path: { target_id: targetId }, header: { "If-Match": etag } },
    body: { title },
    headers: { Authorization: `Bearer ${token}` },
  });
  if (error !== undefined) throw new Error(`${error.status} ${error.title}`);
  return data;
}
