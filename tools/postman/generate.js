#!/usr/bin/env node
// make postman: docs/postman/ from openapi.yaml.
//
// 1. openapi-to-postmanv2 (pinned in package-lock.json) turns the contract into a collection with a
//    folder per tag: every operation, for exploring.
// 2. Post-processing makes the calls usable and the output reproducible:
//    - one bearer credential for the whole collection ({{apiKey}}), {{baseUrl}} as the host;
//    - each request body is the contract's example for that body (a media-type `example`, the first
//      of `examples`, or the schema's `example`), or else a sensible value built from the schema
//      (required fields, first enum value, dates, ids), never a placeholder such as <string>;
//    - each path id is a collection variable named after the resource ({{referralId}} ...);
//    - faked response examples and random ids are dropped, so the file only changes with the contract.
// 3. A "Journey" folder first: create an organisation, a practitioner, a young person and a referral,
//    read it, find it in the list, triage it, start the family assessment, record a meeting and the
//    family's feedback on it, request an EHC needs assessment, decide to assess and to issue, draft
//    the EHC plan, read it and read the timeline, each with tests, the ids carried
//    from one call to the next in collection variables. `tools/postman/run.sh` runs it with newman.
//
// Usage: node generate.js [output folder] (default ../../docs/postman)
"use strict";

const fs = require("fs");
const path = require("path");

// openapi-to-postmanv2 fills some values with a random generator: seed it so a run is repeatable.
let seed = 20261203;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const yaml = require("js-yaml");
const Converter = require("openapi-to-postmanv2");

const root = path.resolve(__dirname, "../..");
const outDir = path.resolve(process.argv[2] || path.join(root, "docs/postman"));
const specText = fs.readFileSync(process.env.OPENAPI_SPEC || path.join(root, "openapi.yaml"), "utf8");
const spec = yaml.load(specText);

// ---- the contract ---------------------------------------------------------------------------

function resolve(node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) {
    n = n.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return n;
}

function operations() {
  const ops = [];
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      if (item[method]) ops.push({ path: p, method: method.toUpperCase(), op: item[method], item });
    }
  }
  return ops;
}
const byOperationId = Object.fromEntries(operations().map((o) => [o.op.operationId, o]));

// The contract's example for a request body, if it has one.
function bodyExample(media) {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  if (media.examples) {
    const first = Object.values(media.examples)[0];
    const ex = resolve(first);
    if (ex && ex.value !== undefined) return ex.value;
  }
  const schema = resolve(media.schema);
  if (schema && schema.example !== undefined) return schema.example;
  return undefined;
}

// ---- sensible values when the contract gives no example ---------------------------------------

const idVariable = (name) => {
  const base = name.replace(/_ids?$/, "");
  const special = { referrer_practitioner: "practitioner", education_setting: "organisation", lead_practitioner: "practitioner" };
  return `{{${camel(special[base] || base)}Id}}`;
};
const camel = (s) => s.replace(/[-_]([a-z])/g, (_, c) => c.toUpperCase());

function sample(schemaRef, name, depth) {
  const schema = resolve(schemaRef) || {};
  if (depth > 6) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s, name, depth + 1)));
  if (schema.oneOf || schema.anyOf) return sample((schema.oneOf || schema.anyOf)[0], name, depth + 1);
  const type = schema.type || (schema.properties ? "object" : "string");
  switch (type) {
    case "object": {
      const out = {};
      for (const req of schema.required || []) {
        const v = sample((schema.properties || {})[req], req, depth + 1);
        if (v !== undefined) out[req] = v;
      }
      return out;
    }
    case "array": {
      const n = Math.max(1, schema.minItems || 0);
      const items = [];
      for (let i = 0; i < n; i++) {
        const item = resolve(schema.items) || {};
        items.push(item.enum ? item.enum[Math.min(i, item.enum.length - 1)] : sample(schema.items, name, depth + 1));
      }
      return items;
    }
    case "integer":
    case "number":
      return schema.minimum !== undefined ? Math.max(schema.minimum, 1) : 1;
    case "boolean":
      return false;
  }
  switch (schema.format) {
    case "uuid":
      return idVariable(name || "");
    case "date":
      return /birth/.test(name || "") ? "2016-05-14" : "2026-12-01";
    case "date-time":
      return "2026-12-01T09:30:00Z";
    case "email":
      return "sam.taylor@example.org";
    case "uri":
      return "https://example.org/oneplan-hook";
  }
  const words = {
    name: "Example name", given_name: "Maya", family_name: "Example", reason: "Example reason", postcode: "M6 5AB",
    locality: "South", phone: "0161 496 0000", summary: "Example summary", notes: "Example notes",
  };
  let s = words[name] || `Example ${String(name || "text").replace(/_/g, " ")}`;
  if (schema.maxLength && s.length > schema.maxLength) s = s.slice(0, schema.maxLength);
  return s;
}

function requestBody(o) {
  const rb = resolve(o.op.requestBody);
  if (!rb || !rb.content) return undefined;
  const [mediaType, media] = Object.entries(rb.content)[0];
  if (!/json/.test(mediaType)) return undefined; // uploads keep what the converter made
  const ex = bodyExample(media);
  return { mediaType, value: ex !== undefined ? ex : sample(media.schema, "", 0), fromExample: ex !== undefined };
}

// ---- post-processing ----------------------------------------------------------------------------

// The collection variable for the path parameter before which segment is `segment`.
function pathVariable(segments, i) {
  const before = segments[i - 1] || "";
  const singular = {
    "young-people": "youngPerson", referrals: "referral", organisations: "organisation", practitioners: "practitioner",
    "family-assessments": "familyAssessment", meetings: "meeting", actions: "action", feedback: "feedback",
    "ehc-requests": "ehcRequest", "ehc-plans": "ehcPlan", "api-keys": "apiKey", "possible-duplicates": "possibleDuplicate",
  };
  const name = singular[before] || camel(before.replace(/s$/, "").replace(/-/g, "_"));
  return `{{${name}Id}}`;
}

const usedVariables = new Set(["baseUrl", "apiKey", "adminKey"]);

function matchOperation(req) {
  const segs = (req.url.path || []).map((s) => (s.startsWith(":") ? "{}" : s)).join("/");
  return operations().find((o) => o.method === req.method && o.path.replace(/^\//, "").replace(/\{[^}]+\}/g, "{}") === segs);
}

function tidyRequest(item) {
  const req = item.request;
  delete item.id;
  delete item.response; // faked answers: not the contract's, and random
  delete req.auth; // inherit the collection's bearer
  req.url.host = ["{{baseUrl}}"];
  const o = matchOperation(req);
  if (o && o.op.security && o.op.security.length === 0) req.auth = { type: "noauth" };
  const segs = req.url.path || [];
  for (const v of req.url.variable || []) {
    const i = segs.indexOf(":" + v.key);
    v.value = v.key === "report" || v.key === "token" ? v.value : pathVariable(segs, i);
    if (/^\{\{\w+\}\}$/.test(v.value)) usedVariables.add(v.value.slice(2, -2));
    delete v.type;
  }
  for (const q of req.url.query || []) q.disabled = true; // optional filters, off until wanted
  if (o) {
    const body = requestBody(o);
    if (body) {
      req.body = { mode: "raw", raw: JSON.stringify(body.value, null, 2), options: { raw: { language: "json" } } };
      for (const m of JSON.stringify(body.value).matchAll(/\{\{(\w+)\}\}/g)) usedVariables.add(m[1]);
    }
    req.description = [o.op.summary, o.op.description].filter(Boolean).join("\n\n");
  }
}

function walk(items, fn) {
  for (const it of items) {
    if (it.item) {
      delete it.id;
      walk(it.item, fn);
    } else fn(it);
  }
}

// ---- the journey ------------------------------------------------------------------------------

// Each step: operation, overrides merged over the example (null removes a field), the status
// expected, and the variables to keep from the answer.
const journey = [
  { name: "Register an organisation (admin)", op: "createOrganisation", auth: "adminKey", status: 201,
    body: { name: "Irwell Valley Academy (Postman)", type: "school_secondary", locality: "South", urn: null }, keep: { organisationId: "id" } },
  { name: "Register a practitioner in it (admin)", op: "createPractitioner", auth: "adminKey", status: 201,
    body: { organisation_id: "{{organisationId}}", email: "senco.{{$timestamp}}@irwell.example.org" }, keep: { practitionerId: "id" } },
  { name: "Record a young person", op: "createYoungPerson", status: 201,
    body: { date_of_birth: "2016-05-14", nhs_number: null, upn: null, uln: null, education_setting_id: "{{organisationId}}", locality: "South" },
    keep: { youngPersonId: "id" } },
  { name: "Refer them to the pathway", op: "createReferral", status: 201,
    body: { young_person_id: "{{youngPersonId}}", referrer_practitioner_id: "{{practitionerId}}", services_involved: ["school", "camhs"], safeguarding_concern: false },
    keep: { referralId: "id", referralReference: "reference" }, check: "pm.expect(body.status).to.eql('received');" },
  { name: "Read the referral", op: "getReferral", status: 200, check: "pm.expect(body.id).to.eql(pm.collectionVariables.get('referralId'));\npm.expect(pm.response.headers.get('ETag')).to.match(/^\"\\d+\"$/);" },
  { name: "Find it in the list of referrals", op: "listReferrals", status: 200, query: { young_person_id: "{{youngPersonId}}", limit: "10" },
    check: "pm.expect(body.items.map(r => r.id)).to.include(pm.collectionVariables.get('referralId'));" },
  { name: "Triage it: accept", op: "triageReferral", status: 200, body: { decision: "accept", reason: "Two services involved; needs are emerging at school.", route: null, redirect_to: null, override_reason: null },
    check: "pm.expect(body.status).to.eql('accepted');" },
  { name: "Start the family assessment", op: "createFamilyAssessment", status: 201,
    body: { referral_id: "{{referralId}}", assessor_practitioner_id: null }, keep: { familyAssessmentId: "id" },
    check: "pm.expect(body.referral_id).to.eql(pm.collectionVariables.get('referralId'));" },
  { name: "Read the referral again: now assessing", op: "getReferral", status: 200, check: "pm.expect(body.status).to.eql('assessing');" },
  { name: "Record a team-around-the-family meeting", op: "createMeeting", status: 201,
    pre: "pm.collectionVariables.set('today', new Date().toISOString().slice(0, 10));",
    body: { referral_id: "{{referralId}}", type: "taf", held_on: "{{today}}" }, keep: { meetingId: "id" },
    check: "pm.expect(body.referral_id).to.eql(pm.collectionVariables.get('referralId'));\npm.expect(body.type).to.eql('taf');" },
  { name: "Record the family's feedback on the meeting", op: "createPathwayFeedback", status: 201,
    body: { referral_id: "{{referralId}}", meeting_id: "{{meetingId}}", from: "family" }, keep: { feedbackId: "id" },
    check: "pm.expect(body.meeting_id).to.eql(pm.collectionVariables.get('meetingId'));\npm.expect(body.from).to.eql('family');" },
  { name: "Request an EHC needs assessment", op: "createEhcNeedsAssessment", status: 201,
    body: { young_person_id: "{{youngPersonId}}", received_on: "{{today}}", requested_by: "school_or_college", referral_id: "{{referralId}}", meeting_id: null },
    keep: { ehcNeedsAssessmentId: "id" }, check: "pm.expect(body.young_person_id).to.eql(pm.collectionVariables.get('youngPersonId'));\npm.expect(body.status).to.eql('received');" },
  { name: "Decide to assess (Reg 5)", op: "decideEhcNeedsAssessment", status: 200, path: "ehcNeedsAssessmentId",
    body: { decision: "assess", decided_on: "{{today}}" }, check: "pm.expect(body.status).to.eql('assessing');" },
  { name: "Decide to issue a plan (Reg 10)", op: "decideEhcPlanIssue", status: 200, path: "ehcNeedsAssessmentId",
    body: { decision: "issue", decided_on: "{{today}}" }, check: "pm.expect(body.status).to.eql('plan_drafting');" },
  { name: "Draft the EHC plan for the request", op: "createEhcPlan", status: 201,
    body: { young_person_id: "{{youngPersonId}}", ehc_request_id: "{{ehcNeedsAssessmentId}}", transferred_from_la: null },
    keep: { ehcPlanId: "id" }, check: "pm.expect(body.young_person_id).to.eql(pm.collectionVariables.get('youngPersonId'));\npm.expect(body.status).to.eql('draft');\npm.expect(body.versions[0].kind).to.eql('draft');" },
  { name: "Read the plan", op: "getEhcPlan", status: 200, check: "pm.expect(body.id).to.eql(pm.collectionVariables.get('ehcPlanId'));" },
  { name: "Read the young person's timeline", op: "getTimeline", status: 200, check: "pm.expect(body.items.length).to.be.above(0);" },
];

function merge(base, over) {
  if (over === undefined) return base;
  if (base === null || typeof base !== "object" || Array.isArray(base) || typeof over !== "object" || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = merge(base[k], v);
  }
  return out;
}

function journeyItem(step, generated) {
  const o = byOperationId[step.op];
  if (!o) throw new Error(`journey: no operation ${step.op} in openapi.yaml`);
  const item = JSON.parse(JSON.stringify(generated.get(`${o.method} ${o.path}`)));
  item.name = step.name;
  const req = item.request;
  if (step.auth) req.auth = { type: "bearer", bearer: [{ key: "token", value: `{{${step.auth}}}`, type: "string" }] };
  if (step.body) {
    const base = requestBody(o);
    req.body.raw = JSON.stringify(merge(base.value, step.body), null, 2);
  }
  if (step.op === "getTimeline") for (const v of req.url.variable || []) v.value = "{{youngPersonId}}";
  if (step.path) for (const v of req.url.variable || []) v.value = `{{${step.path}}}`;
  req.url.query = Object.entries(step.query || {}).map(([key, value]) => ({ key, value }));
  const keep = Object.entries(step.keep || {}).map(([v, field]) => `pm.collectionVariables.set(${JSON.stringify(v)}, body[${JSON.stringify(field)}]);`);
  const exec = [
    `pm.test(${JSON.stringify(`${o.method} ${o.path} answers ${step.status}`)}, () => pm.response.to.have.status(${step.status}));`,
    "const body = pm.response.json();",
    ...(step.check ? [`pm.test("the answer is as expected", () => {\n${step.check}\n});`] : []),
    ...keep,
  ].join("\n");
  item.event = [{ listen: "test", script: { type: "text/javascript", exec: exec.split("\n") } }];
  if (step.pre) item.event.unshift({ listen: "prerequest", script: { type: "text/javascript", exec: step.pre.split("\n") } });
  return item;
}

// ---- run ----------------------------------------------------------------------------------------

Converter.convert({ type: "string", data: specText }, {
  folderStrategy: "Tags", parametersResolution: "Example", requestNameSource: "Fallback", enableOptionalParameters: false,
}, (err, res) => {
  if (err || !res.result) {
    console.error("openapi-to-postmanv2:", err || res.reason);
    process.exit(1);
  }
  const col = res.output[0].data;
  const generated = new Map();
  walk(col.item, (it) => {
    tidyRequest(it);
    generated.set(`${it.request.method} /${it.request.url.path.join("/").replace(/:(\w+)/g, "{$1}")}`, it);
  });
  for (const step of journey) {
    const o = byOperationId[step.op];
    if (!generated.has(`${o.method} ${o.path}`)) throw new Error(`journey: ${step.op} (${o.method} ${o.path}) not in the generated collection`);
  }
  const journeyFolder = {
    name: "Journey",
    description: "The main path, in order: run this folder (Postman's runner, or tools/postman/run.sh with newman). " +
      "Needs apiKey (a SEND officer's key) and adminKey; ids are carried in collection variables.",
    item: journey.map((s) => journeyItem(s, generated)),
  };
  for (const k of ["organisationId", "practitionerId", "youngPersonId", "referralId", "referralReference", "familyAssessmentId", "meetingId", "feedbackId", "ehcNeedsAssessmentId", "ehcPlanId", "today"]) usedVariables.add(k);
  const vars = [...usedVariables].sort();
  const defaults = { baseUrl: "http://127.0.0.1:8080" };
  const collection = {
    info: {
      _postman_id: "6f1c2a4e-0e8b-4f7e-9a51-0b1e2c3d4e5f",
      name: `${spec.info.title} ${spec.info.version}`,
      description: "Generated from openapi.yaml by `make postman` (tools/postman/generate.js): do not edit by hand.\n\n" +
        "Set baseUrl, apiKey (a SEND officer's API key) and adminKey, then run the Journey folder. The other folders hold every " +
        "operation, one folder per tag, with the contract's examples as bodies.",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    auth: { type: "bearer", bearer: [{ key: "token", value: "{{apiKey}}", type: "string" }] },
    item: [journeyFolder, ...col.item],
    variable: vars.map((key) => ({ key, value: defaults[key] || "" })),
  };
  const environment = {
    id: "0b7d1c9e-5a3f-4c2d-8e6f-1a2b3c4d5e6f",
    name: "OnePlan (make run)",
    values: [
      { key: "baseUrl", value: "http://127.0.0.1:8080", type: "default", enabled: true },
      { key: "apiKey", value: "", type: "secret", enabled: true },
      { key: "adminKey", value: "", type: "secret", enabled: true },
    ],
    _postman_variable_scope: "environment",
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "oneplan.postman_collection.json"), JSON.stringify(collection, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "oneplan.postman_environment.json"), JSON.stringify(environment, null, 2) + "\n");
  let requests = 0;
  let examples = 0;
  walk(col.item, (it) => {
    requests++;
    const o = matchOperation(it.request);
    const b = o && requestBody(o);
    if (b && b.fromExample) examples++;
  });
  console.log(`docs/postman: ${requests} operations, ${examples} bodies from the contract's examples, a journey of ${journey.length} calls`);
});
