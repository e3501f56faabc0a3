// A CMS integration through types generated from Factdesk's schema (openapi-typescript) and the
// openapi-fetch client: submit an article, wait for its analysis, read every claim page by page
// (following `next_cursor`), and take the most check-worthy one for review.  tsc --strict checks it
// against the generated types (`make api-contract`).
//
//   npx openapi-typescript http://127.0.0.1:8000/api/v1/schema -o factdesk-api.d.ts
//   FACTDESK_API_KEY=fd_... node cms_sync.js [http://127.0.0.1:8000]
import createClient from "openapi-fetch";
import type { components, paths } from "./factdesk-api.js";

type Claim = components["schemas"]["ClaimOutput"];
type ClaimStatus = components["schemas"]["ClaimStatusEnum"];
type ErrorCode = components["schemas"]["ErrorCodeEnum"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const client = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${process.env.FACTDESK_API_KEY ?? ""}` },
});

const body = [
  "The council approved a budget of $4.2 million on Tuesday, the largest in a decade.",
  "Critics say the plan will fail.",
  "Unemployment in the city fell to 4.1 percent in March, according to the statistics office.",
].join("\n\n");

async function submit(): Promise<number> {
  const { data, error } = await client.POST("/api/v1/articles", {
    body: { external_id: "cms-example-1", body, format: "text", title: "Council budget" },
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
  });
  if (error) throw new Error(`submit refused (${error.code}): ${error.detail}`);
  for (let tries = 0; tries < 120; tries++) {
    const article = await client.GET("/api/v1/articles/{article_id}", {
      params: { path: { article_id: data.id } },
    });
    if (article.error) throw new Error(article.error.detail);
    const status = article.data.analysis_status;
    if (status === "analyzed" || status === "failed") return article.data.id;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the analysis did not finish within a minute: is a worker running?");
}

async function everyClaim(articleId: number): Promise<Claim[]> {
  const claims: Claim[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, error } = await client.GET("/api/v1/claims", {
      params: { query: { article: articleId, ordering: "-checkworthiness", page_size: 2, cursor } },
    });
    if (error) throw new Error(error.detail);
    claims.push(...data.results);
    if (data.next_cursor === null) return claims;
    cursor = data.next_cursor;
  }
}

async function main(): Promise<void> {
  const articleId = await submit();
  const claims = await everyClaim(articleId);
  for (const claim of claims) {
    const flags = claim.flags.map((flag) => flag.kind).join(", ") || "no flags";
    console.log(`  claim ${claim.id} [${claim.status}] ${claim.checkworthiness.toFixed(2)} (${flags}) ${claim.text}`);
  }
  const unreviewed: ClaimStatus = "unreviewed";
  const claim = claims.find((each) => each.status === unreviewed);
  if (claim === undefined) return;
  const { data, error } = await client.POST("/api/v1/claims/{claim_id}/transitions", {
    params: { path: { claim_id: claim.id } },
    body: { to: "in_review", expected_status: claim.status },
  });
  if (error) {
    const conflict: ErrorCode = "conflict";
    if (error.code === conflict) console.log(`claim ${claim.id} was moved meanwhile: ${error.detail}`);
    else throw new Error(`take refused (${error.code}): ${error.detail}`);
    return;
  }
  console.log(`took claim ${data.id}: ${data.status}; next moves: ${data.transitions.join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
