/* eslint-disable */
// @ts-nocheck
// Generated from schema/workflow.schema.json by scripts/generate-workflow-validator.mjs (npm run schemas): do not edit.
// ajv 8.20.0, options {"allErrors":true,"coerceTypes":true,"strict":false,"verbose":true}.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://toolflow.dev/schema/workflow.schema.json","title":"toolflow workflow","description":"A pipeline of command-line tools run in dependency order. Tools follow the tool YAML of the design doc (name, cpu, mem, description, output, env, options, cmds, rely), extended with image, disk, time, outputs, envvars and retry.","type":"object","additionalProperties":false,"required":["name","tools"],"properties":{"name":{"$ref":"#/definitions/identifier","description":"Workflow name."},"description":{"type":"string"},"inputs":{"type":"object","description":"Files given at run time with --input NAME=PATH. A tool reads input NAME at $TF_INPUT_NAME ('-' becomes '_', so names that differ only by '-' and '_' are refused).","propertyNames":{"$ref":"#/definitions/identifier"},"additionalProperties":{"type":"object","additionalProperties":false,"properties":{"type":{"enum":["file"],"default":"file"},"required":{"type":"boolean","default":true},"description":{"type":"string"}}}},"envvars":{"$ref":"#/definitions/envvars","description":"Variables passed to every tool from toolflow's environment when set (as Snakemake's envvars): LD_LIBRARY_PATH, CONDA_PREFIX, JAVA_HOME, PYTHONPATH, http_proxy... Never TF_*, TOOLFLOW_*, AWS_* or names containing SECRET, PASSWORD, TOKEN or CREDENTIAL."},"tools":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/tool"}}},"definitions":{"identifier":{"type":"string","pattern":"^[A-Za-z][A-Za-z0-9_-]{0,62}$","description":"Starts with a letter; letters, digits, '_' and '-'; at most 63 characters."},"optionName":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]{0,62}$","description":"A shell variable name: letters, digits and '_', not starting with a digit."},"cpu":{"description":"Cores (2, 0.5) or millicores (\"500m\").","type":["number","string"]},"bytes":{"description":"A size: bytes, or a number with K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024).","type":["number","string"]},"scalar":{"type":["string","number","boolean"]},"reason":{"enum":["oom","disk","timeout","lost","undelivered","exit"]},"tool":{"type":"object","additionalProperties":false,"required":["name","cmds"],"properties":{"name":{"$ref":"#/definitions/identifier"},"cpu":{"$ref":"#/definitions/cpu","default":1},"mem":{"$ref":"#/definitions/bytes","default":"1Gi"},"disk":{"$ref":"#/definitions/bytes","description":"Ephemeral storage (a Pod's ephemeral-storage limit in cluster mode)."},"time":{"$ref":"#/definitions/duration","description":"Wall-clock limit of one attempt, from its start (Nextflow's time, Snakemake's runtime): an attempt still running then is stopped and fails with reason timeout. Default: none."},"image":{"type":"string","description":"Container image used in cluster mode."},"description":{"type":"string"},"output":{"type":"string","description":"Free text: what the tool produces (design doc field)."},"outputs":{"type":"array","description":"Files (relative to the tool's work dir) the tool must write; missing ones fail the tool.","items":{"type":"string","minLength":1}},"env":{"description":"Environment variables: a list of KEY=VALUE strings or a mapping. Values are passed literally.","type":["array","object"],"items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*=","description":"KEY=VALUE, KEY a shell variable name"},"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"envvars":{"$ref":"#/definitions/envvars","description":"More variables passed from toolflow's environment when set, added to the workflow's envvars. A name also set in env takes env's value. Same reserved names as the workflow's envvars."},"options":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/optionName"},"desc":{"type":"string"},"type":{"enum":["string","str","int","integer","float","number","bool","boolean"],"default":"string"},"required":{"type":"boolean","default":false},"default":{"$ref":"#/definitions/scalar"},"enum":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/scalar"}},"min":{"type":"number","description":"Lowest value; int and float options only."},"max":{"type":"number","description":"Highest value; int and float options only."}}}},"cmds":{"description":"Shell commands, run in order by bash with set -euo pipefail.","type":"array","minItems":1,"items":{"$ref":"#/definitions/command"}},"rely":{"description":"Tools this one runs after: a list, or the design doc's \"tool1;tool2\" string.","type":["array","string"],"items":{"type":"string"}},"retry":{"type":"object","additionalProperties":false,"properties":{"max":{"type":"integer","minimum":1,"maximum":20,"default":3,"description":"Attempts in all, the first included."},"on":{"type":"array","items":{"$ref":"#/definitions/reason"},"default":["oom","disk","lost","undelivered"],"description":"Failure reasons that rerun the tool (add exit for plain failures, timeout to rerun with more time)."},"grow":{"type":"number","exclusiveMinimum":1,"maximum":16,"default":2,"description":"Factor applied to the resource that ran out (memory, disk, or time after a timeout)."},"cap":{"type":"object","additionalProperties":false,"properties":{"mem":{"$ref":"#/definitions/bytes","default":"64G"},"disk":{"$ref":"#/definitions/bytes","default":"500G"},"time":{"$ref":"#/definitions/duration","default":"7d","description":"Upper bound of time for reruns after a timeout; not below the tool's time."}}}}}}},"envvars":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"}},"duration":{"description":"A time: seconds (3600), or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m). A bare number is seconds.","type":["number","string"]},"command":{"type":["string","number","boolean"],"pattern":"^(?![\\s\\S]*\\u0000)\\s*\\S","description":"a command may not be empty or only blanks, nor hold a NUL character"}}};
const schema12 = {"type":"string","pattern":"^[A-Za-z][A-Za-z0-9_-]{0,62}$","description":"Starts with a letter; letters, digits, '_' and '-'; at most 63 characters."};
const schema14 = {"type":"array","items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"}};
const pattern0 = new RegExp("^[A-Za-z][A-Za-z0-9_-]{0,62}$", "u");
const pattern2 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const schema15 = {"type":"object","additionalProperties":false,"required":["name","cmds"],"properties":{"name":{"$ref":"#/definitions/identifier"},"cpu":{"$ref":"#/definitions/cpu","default":1},"mem":{"$ref":"#/definitions/bytes","default":"1Gi"},"disk":{"$ref":"#/definitions/bytes","description":"Ephemeral storage (a Pod's ephemeral-storage limit in cluster mode)."},"time":{"$ref":"#/definitions/duration","description":"Wall-clock limit of one attempt, from its start (Nextflow's time, Snakemake's runtime): an attempt still running then is stopped and fails with reason timeout. Default: none."},"image":{"type":"string","description":"Container image used in cluster mode."},"description":{"type":"string"},"output":{"type":"string","description":"Free text: what the tool produces (design doc field)."},"outputs":{"type":"array","description":"Files (relative to the tool's work dir) the tool must write; missing ones fail the tool.","items":{"type":"string","minLength":1}},"env":{"description":"Environment variables: a list of KEY=VALUE strings or a mapping. Values are passed literally.","type":["array","object"],"items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*=","description":"KEY=VALUE, KEY a shell variable name"},"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"envvars":{"$ref":"#/definitions/envvars","description":"More variables passed from toolflow's environment when set, added to the workflow's envvars. A name also set in env takes env's value. Same reserved names as the workflow's envvars."},"options":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/optionName"},"desc":{"type":"string"},"type":{"enum":["string","str","int","integer","float","number","bool","boolean"],"default":"string"},"required":{"type":"boolean","default":false},"default":{"$ref":"#/definitions/scalar"},"enum":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/scalar"}},"min":{"type":"number","description":"Lowest value; int and float options only."},"max":{"type":"number","description":"Highest value; int and float options only."}}}},"cmds":{"description":"Shell commands, run in order by bash with set -euo pipefail.","type":"array","minItems":1,"items":{"$ref":"#/definitions/command"}},"rely":{"description":"Tools this one runs after: a list, or the design doc's \"tool1;tool2\" string.","type":["array","string"],"items":{"type":"string"}},"retry":{"type":"object","additionalProperties":false,"properties":{"max":{"type":"integer","minimum":1,"maximum":20,"default":3,"description":"Attempts in all, the first included."},"on":{"type":"array","items":{"$ref":"#/definitions/reason"},"default":["oom","disk","lost","undelivered"],"description":"Failure reasons that rerun the tool (add exit for plain failures, timeout to rerun with more time)."},"grow":{"type":"number","exclusiveMinimum":1,"maximum":16,"default":2,"description":"Factor applied to the resource that ran out (memory, disk, or time after a timeout)."},"cap":{"type":"object","additionalProperties":false,"properties":{"mem":{"$ref":"#/definitions/bytes","default":"64G"},"disk":{"$ref":"#/definitions/bytes","default":"500G"},"time":{"$ref":"#/definitions/duration","default":"7d","description":"Upper bound of time for reruns after a timeout; not below the tool's time."}}}}}}};
const schema17 = {"description":"Cores (2, 0.5) or millicores (\"500m\").","type":["number","string"]};
const schema18 = {"description":"A size: bytes, or a number with K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024).","type":["number","string"]};
const schema20 = {"description":"A time: seconds (3600), or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m). A bare number is seconds.","type":["number","string"]};
const schema21 = {"type":["string","number","boolean"]};
const schema23 = {"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]{0,62}$","description":"A shell variable name: letters, digits and '_', not starting with a digit."};
const schema26 = {"type":["string","number","boolean"],"pattern":"^(?![\\s\\S]*\\u0000)\\s*\\S","description":"a command may not be empty or only blanks, nor hold a NUL character"};
const schema27 = {"enum":["oom","disk","timeout","lost","undelivered","exit"]};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const pattern4 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*=", "u");
const pattern7 = new RegExp("^[A-Za-z_][A-Za-z0-9_]{0,62}$", "u");
const pattern8 = new RegExp("^(?![\\s\\S]*\\u0000)\\s*\\S", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema15.required,parentSchema:schema15,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.cmds === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cmds"},message:"must have required property '"+"cmds"+"'",schema:schema15.required,parentSchema:schema15,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(let key0 in data){
if(!(func2.call(schema15.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema15,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 !== "string"){
let dataType0 = typeof data0;
let coerced0 = undefined;
if(!(coerced0 !== undefined)){
if(dataType0 == "number" || dataType0 == "boolean"){
coerced0 = "" + data0;
}
else if(data0 === null){
coerced0 = "";
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.type,parentSchema:schema12,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(coerced0 !== undefined){
data0 = coerced0;
if(data !== undefined){
data["name"] = coerced0;
}
}
}
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err4 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z][A-Za-z0-9_-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z][A-Za-z0-9_-]{0,62}$"+"\"",schema:"^[A-Za-z][A-Za-z0-9_-]{0,62}$",parentSchema:schema12,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
if(data.cpu !== undefined){
let data1 = data.cpu;
if((!(typeof data1 == "number")) && (typeof data1 !== "string")){
let dataType1 = typeof data1;
let coerced1 = undefined;
if(!(coerced1 !== undefined)){
if(dataType1 == "boolean" || data1 === null
              || (dataType1 == "string" && data1 && data1 == +data1)){
coerced1 = +data1;
}
else if(dataType1 == "number" || dataType1 == "boolean"){
coerced1 = "" + data1;
}
else if(data1 === null){
coerced1 = "";
}
else {
const err5 = {instancePath:instancePath+"/cpu",schemaPath:"#/definitions/cpu/type",keyword:"type",params:{type: schema17.type},message:"must be number,string",schema:schema17.type,parentSchema:schema17,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(coerced1 !== undefined){
data1 = coerced1;
if(data !== undefined){
data["cpu"] = coerced1;
}
}
}
}
if(data.mem !== undefined){
let data2 = data.mem;
if((!(typeof data2 == "number")) && (typeof data2 !== "string")){
let dataType2 = typeof data2;
let coerced2 = undefined;
if(!(coerced2 !== undefined)){
if(dataType2 == "boolean" || data2 === null
              || (dataType2 == "string" && data2 && data2 == +data2)){
coerced2 = +data2;
}
else if(dataType2 == "number" || dataType2 == "boolean"){
coerced2 = "" + data2;
}
else if(data2 === null){
coerced2 = "";
}
else {
const err6 = {instancePath:instancePath+"/mem",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema18.type},message:"must be number,string",schema:schema18.type,parentSchema:schema18,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(coerced2 !== undefined){
data2 = coerced2;
if(data !== undefined){
data["mem"] = coerced2;
}
}
}
}
if(data.disk !== undefined){
let data3 = data.disk;
if((!(typeof data3 == "number")) && (typeof data3 !== "string")){
let dataType3 = typeof data3;
let coerced3 = undefined;
if(!(coerced3 !== undefined)){
if(dataType3 == "boolean" || data3 === null
              || (dataType3 == "string" && data3 && data3 == +data3)){
coerced3 = +data3;
}
else if(dataType3 == "number" || dataType3 == "boolean"){
coerced3 = "" + data3;
}
else if(data3 === null){
coerced3 = "";
}
else {
const err7 = {instancePath:instancePath+"/disk",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema18.type},message:"must be number,string",schema:schema18.type,parentSchema:schema18,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(coerced3 !== undefined){
data3 = coerced3;
if(data !== undefined){
data["disk"] = coerced3;
}
}
}
}
if(data.time !== undefined){
let data4 = data.time;
if((!(typeof data4 == "number")) && (typeof data4 !== "string")){
let dataType4 = typeof data4;
let coerced4 = undefined;
if(!(coerced4 !== undefined)){
if(dataType4 == "boolean" || data4 === null
              || (dataType4 == "string" && data4 && data4 == +data4)){
coerced4 = +data4;
}
else if(dataType4 == "number" || dataType4 == "boolean"){
coerced4 = "" + data4;
}
else if(data4 === null){
coerced4 = "";
}
else {
const err8 = {instancePath:instancePath+"/time",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: schema20.type},message:"must be number,string",schema:schema20.type,parentSchema:schema20,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(coerced4 !== undefined){
data4 = coerced4;
if(data !== undefined){
data["time"] = coerced4;
}
}
}
}
if(data.image !== undefined){
let data5 = data.image;
if(typeof data5 !== "string"){
let dataType5 = typeof data5;
let coerced5 = undefined;
if(!(coerced5 !== undefined)){
if(dataType5 == "number" || dataType5 == "boolean"){
coerced5 = "" + data5;
}
else if(data5 === null){
coerced5 = "";
}
else {
const err9 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.image.type,parentSchema:schema15.properties.image,data:data5};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(coerced5 !== undefined){
data5 = coerced5;
if(data !== undefined){
data["image"] = coerced5;
}
}
}
}
if(data.description !== undefined){
let data6 = data.description;
if(typeof data6 !== "string"){
let dataType6 = typeof data6;
let coerced6 = undefined;
if(!(coerced6 !== undefined)){
if(dataType6 == "number" || dataType6 == "boolean"){
coerced6 = "" + data6;
}
else if(data6 === null){
coerced6 = "";
}
else {
const err10 = {instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.description.type,parentSchema:schema15.properties.description,data:data6};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(coerced6 !== undefined){
data6 = coerced6;
if(data !== undefined){
data["description"] = coerced6;
}
}
}
}
if(data.output !== undefined){
let data7 = data.output;
if(typeof data7 !== "string"){
let dataType7 = typeof data7;
let coerced7 = undefined;
if(!(coerced7 !== undefined)){
if(dataType7 == "number" || dataType7 == "boolean"){
coerced7 = "" + data7;
}
else if(data7 === null){
coerced7 = "";
}
else {
const err11 = {instancePath:instancePath+"/output",schemaPath:"#/properties/output/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.output.type,parentSchema:schema15.properties.output,data:data7};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(coerced7 !== undefined){
data7 = coerced7;
if(data !== undefined){
data["output"] = coerced7;
}
}
}
}
if(data.outputs !== undefined){
let data8 = data.outputs;
if(Array.isArray(data8)){
const len0 = data8.length;
for(let i0=0; i0<len0; i0++){
let data9 = data8[i0];
if(typeof data9 !== "string"){
let dataType8 = typeof data9;
let coerced8 = undefined;
if(!(coerced8 !== undefined)){
if(dataType8 == "number" || dataType8 == "boolean"){
coerced8 = "" + data9;
}
else if(data9 === null){
coerced8 = "";
}
else {
const err12 = {instancePath:instancePath+"/outputs/" + i0,schemaPath:"#/properties/outputs/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.outputs.items.type,parentSchema:schema15.properties.outputs.items,data:data9};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(coerced8 !== undefined){
data9 = coerced8;
if(data8 !== undefined){
data8[i0] = coerced8;
}
}
}
if(typeof data9 === "string"){
if(func3(data9) < 1){
const err13 = {instancePath:instancePath+"/outputs/" + i0,schemaPath:"#/properties/outputs/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema15.properties.outputs.items,data:data9};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
}
}
else {
const err14 = {instancePath:instancePath+"/outputs",schemaPath:"#/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema15.properties.outputs.type,parentSchema:schema15.properties.outputs,data:data8};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.env !== undefined){
let data10 = data.env;
if(!data10 || typeof data10 != "object"){
const err15 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: schema15.properties.env.type},message:"must be array,object",schema:schema15.properties.env.type,parentSchema:schema15.properties.env,data:data10};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if(Array.isArray(data10)){
const len1 = data10.length;
for(let i1=0; i1<len1; i1++){
let data11 = data10[i1];
if(typeof data11 !== "string"){
let dataType9 = typeof data11;
let coerced9 = undefined;
if(!(coerced9 !== undefined)){
if(dataType9 == "number" || dataType9 == "boolean"){
coerced9 = "" + data11;
}
else if(data11 === null){
coerced9 = "";
}
else {
const err16 = {instancePath:instancePath+"/env/" + i1,schemaPath:"#/properties/env/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.env.items.type,parentSchema:schema15.properties.env.items,data:data11};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(coerced9 !== undefined){
data11 = coerced9;
if(data10 !== undefined){
data10[i1] = coerced9;
}
}
}
if(typeof data11 === "string"){
if(!pattern4.test(data11)){
const err17 = {instancePath:instancePath+"/env/" + i1,schemaPath:"#/properties/env/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*="},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*="+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*=",parentSchema:schema15.properties.env.items,data:data11};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
}
}
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
for(let key1 in data10){
const _errs31 = errors;
if(typeof key1 === "string"){
if(!pattern2.test(key1)){
const err18 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema15.properties.env.propertyNames,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
var valid10 = _errs31 === errors;
if(!valid10){
const err19 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid",schema:schema15.properties.env.propertyNames,parentSchema:schema15.properties.env,data:data10};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
for(let key2 in data10){
let data12 = data10[key2];
if(((typeof data12 !== "string") && (!(typeof data12 == "number"))) && (typeof data12 !== "boolean")){
let dataType10 = typeof data12;
let coerced10 = undefined;
if(!(coerced10 !== undefined)){
if(dataType10 == "number" || dataType10 == "boolean"){
coerced10 = "" + data12;
}
else if(data12 === null){
coerced10 = "";
}
else if(dataType10 == "boolean" || data12 === null
              || (dataType10 == "string" && data12 && data12 == +data12)){
coerced10 = +data12;
}
else if(data12 === "false" || data12 === 0 || data12 === null){
coerced10 = false;
}
else if(data12 === "true" || data12 === 1){
coerced10 = true;
}
else {
const err20 = {instancePath:instancePath+"/env/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema21.type},message:"must be string,number,boolean",schema:schema21.type,parentSchema:schema21,data:data12};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(coerced10 !== undefined){
data12 = coerced10;
if(data10 !== undefined){
data10[key2] = coerced10;
}
}
}
}
}
}
if(data.envvars !== undefined){
let data13 = data.envvars;
if(Array.isArray(data13)){
const len2 = data13.length;
for(let i2=0; i2<len2; i2++){
let data14 = data13[i2];
if(typeof data14 !== "string"){
let dataType11 = typeof data14;
let coerced11 = undefined;
if(!(coerced11 !== undefined)){
if(dataType11 == "number" || dataType11 == "boolean"){
coerced11 = "" + data14;
}
else if(data14 === null){
coerced11 = "";
}
else {
const err21 = {instancePath:instancePath+"/envvars/" + i2,schemaPath:"#/definitions/envvars/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.items.type,parentSchema:schema14.items,data:data14};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(coerced11 !== undefined){
data14 = coerced11;
if(data13 !== undefined){
data13[i2] = coerced11;
}
}
}
if(typeof data14 === "string"){
if(!pattern2.test(data14)){
const err22 = {instancePath:instancePath+"/envvars/" + i2,schemaPath:"#/definitions/envvars/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema14.items,data:data14};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
}
else {
const err23 = {instancePath:instancePath+"/envvars",schemaPath:"#/definitions/envvars/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.type,parentSchema:schema14,data:data13};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data.options !== undefined){
let data15 = data.options;
if(Array.isArray(data15)){
const len3 = data15.length;
for(let i3=0; i3<len3; i3++){
let data16 = data15[i3];
if(data16 && typeof data16 == "object" && !Array.isArray(data16)){
if(data16.name === undefined){
const err24 = {instancePath:instancePath+"/options/" + i3,schemaPath:"#/properties/options/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema15.properties.options.items.required,parentSchema:schema15.properties.options.items,data:data16};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
for(let key3 in data16){
if(!((((((((key3 === "name") || (key3 === "desc")) || (key3 === "type")) || (key3 === "required")) || (key3 === "default")) || (key3 === "enum")) || (key3 === "min")) || (key3 === "max"))){
const err25 = {instancePath:instancePath+"/options/" + i3,schemaPath:"#/properties/options/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema15.properties.options.items,data:data16};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data16.name !== undefined){
let data17 = data16.name;
if(typeof data17 !== "string"){
let dataType12 = typeof data17;
let coerced12 = undefined;
if(!(coerced12 !== undefined)){
if(dataType12 == "number" || dataType12 == "boolean"){
coerced12 = "" + data17;
}
else if(data17 === null){
coerced12 = "";
}
else {
const err26 = {instancePath:instancePath+"/options/" + i3+"/name",schemaPath:"#/definitions/optionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data17};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(coerced12 !== undefined){
data17 = coerced12;
if(data16 !== undefined){
data16["name"] = coerced12;
}
}
}
if(typeof data17 === "string"){
if(!pattern7.test(data17)){
const err27 = {instancePath:instancePath+"/options/" + i3+"/name",schemaPath:"#/definitions/optionName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]{0,62}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]{0,62}$",parentSchema:schema23,data:data17};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
}
if(data16.desc !== undefined){
let data18 = data16.desc;
if(typeof data18 !== "string"){
let dataType13 = typeof data18;
let coerced13 = undefined;
if(!(coerced13 !== undefined)){
if(dataType13 == "number" || dataType13 == "boolean"){
coerced13 = "" + data18;
}
else if(data18 === null){
coerced13 = "";
}
else {
const err28 = {instancePath:instancePath+"/options/" + i3+"/desc",schemaPath:"#/properties/options/items/properties/desc/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.options.items.properties.desc.type,parentSchema:schema15.properties.options.items.properties.desc,data:data18};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(coerced13 !== undefined){
data18 = coerced13;
if(data16 !== undefined){
data16["desc"] = coerced13;
}
}
}
}
if(data16.type !== undefined){
let data19 = data16.type;
if(!((((((((data19 === "string") || (data19 === "str")) || (data19 === "int")) || (data19 === "integer")) || (data19 === "float")) || (data19 === "number")) || (data19 === "bool")) || (data19 === "boolean"))){
const err29 = {instancePath:instancePath+"/options/" + i3+"/type",schemaPath:"#/properties/options/items/properties/type/enum",keyword:"enum",params:{allowedValues: schema15.properties.options.items.properties.type.enum},message:"must be equal to one of the allowed values",schema:schema15.properties.options.items.properties.type.enum,parentSchema:schema15.properties.options.items.properties.type,data:data19};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data16.required !== undefined){
let data20 = data16.required;
if(typeof data20 !== "boolean"){
let coerced14 = undefined;
if(!(coerced14 !== undefined)){
if(data20 === "false" || data20 === 0 || data20 === null){
coerced14 = false;
}
else if(data20 === "true" || data20 === 1){
coerced14 = true;
}
else {
const err30 = {instancePath:instancePath+"/options/" + i3+"/required",schemaPath:"#/properties/options/items/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema15.properties.options.items.properties.required.type,parentSchema:schema15.properties.options.items.properties.required,data:data20};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(coerced14 !== undefined){
data20 = coerced14;
if(data16 !== undefined){
data16["required"] = coerced14;
}
}
}
}
if(data16.default !== undefined){
let data21 = data16.default;
if(((typeof data21 !== "string") && (!(typeof data21 == "number"))) && (typeof data21 !== "boolean")){
let dataType15 = typeof data21;
let coerced15 = undefined;
if(!(coerced15 !== undefined)){
if(dataType15 == "number" || dataType15 == "boolean"){
coerced15 = "" + data21;
}
else if(data21 === null){
coerced15 = "";
}
else if(dataType15 == "boolean" || data21 === null
              || (dataType15 == "string" && data21 && data21 == +data21)){
coerced15 = +data21;
}
else if(data21 === "false" || data21 === 0 || data21 === null){
coerced15 = false;
}
else if(data21 === "true" || data21 === 1){
coerced15 = true;
}
else {
const err31 = {instancePath:instancePath+"/options/" + i3+"/default",schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema21.type},message:"must be string,number,boolean",schema:schema21.type,parentSchema:schema21,data:data21};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(coerced15 !== undefined){
data21 = coerced15;
if(data16 !== undefined){
data16["default"] = coerced15;
}
}
}
}
if(data16.enum !== undefined){
let data22 = data16.enum;
if(Array.isArray(data22)){
if(data22.length < 1){
const err32 = {instancePath:instancePath+"/options/" + i3+"/enum",schemaPath:"#/properties/options/items/properties/enum/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema15.properties.options.items.properties.enum,data:data22};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
const len4 = data22.length;
for(let i4=0; i4<len4; i4++){
let data23 = data22[i4];
if(((typeof data23 !== "string") && (!(typeof data23 == "number"))) && (typeof data23 !== "boolean")){
let dataType16 = typeof data23;
let coerced16 = undefined;
if(!(coerced16 !== undefined)){
if(dataType16 == "number" || dataType16 == "boolean"){
coerced16 = "" + data23;
}
else if(data23 === null){
coerced16 = "";
}
else if(dataType16 == "boolean" || data23 === null
              || (dataType16 == "string" && data23 && data23 == +data23)){
coerced16 = +data23;
}
else if(data23 === "false" || data23 === 0 || data23 === null){
coerced16 = false;
}
else if(data23 === "true" || data23 === 1){
coerced16 = true;
}
else {
const err33 = {instancePath:instancePath+"/options/" + i3+"/enum/" + i4,schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema21.type},message:"must be string,number,boolean",schema:schema21.type,parentSchema:schema21,data:data23};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(coerced16 !== undefined){
data23 = coerced16;
if(data22 !== undefined){
data22[i4] = coerced16;
}
}
}
}
}
else {
const err34 = {instancePath:instancePath+"/options/" + i3+"/enum",schemaPath:"#/properties/options/items/properties/enum/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema15.properties.options.items.properties.enum.type,parentSchema:schema15.properties.options.items.properties.enum,data:data22};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data16.min !== undefined){
let data24 = data16.min;
if(!(typeof data24 == "number")){
let dataType17 = typeof data24;
let coerced17 = undefined;
if(!(coerced17 !== undefined)){
if(dataType17 == "boolean" || data24 === null
              || (dataType17 == "string" && data24 && data24 == +data24)){
coerced17 = +data24;
}
else {
const err35 = {instancePath:instancePath+"/options/" + i3+"/min",schemaPath:"#/properties/options/items/properties/min/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema15.properties.options.items.properties.min.type,parentSchema:schema15.properties.options.items.properties.min,data:data24};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(coerced17 !== undefined){
data24 = coerced17;
if(data16 !== undefined){
data16["min"] = coerced17;
}
}
}
}
if(data16.max !== undefined){
let data25 = data16.max;
if(!(typeof data25 == "number")){
let dataType18 = typeof data25;
let coerced18 = undefined;
if(!(coerced18 !== undefined)){
if(dataType18 == "boolean" || data25 === null
              || (dataType18 == "string" && data25 && data25 == +data25)){
coerced18 = +data25;
}
else {
const err36 = {instancePath:instancePath+"/options/" + i3+"/max",schemaPath:"#/properties/options/items/properties/max/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema15.properties.options.items.properties.max.type,parentSchema:schema15.properties.options.items.properties.max,data:data25};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(coerced18 !== undefined){
data25 = coerced18;
if(data16 !== undefined){
data16["max"] = coerced18;
}
}
}
}
}
else {
const err37 = {instancePath:instancePath+"/options/" + i3,schemaPath:"#/properties/options/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema15.properties.options.items.type,parentSchema:schema15.properties.options.items,data:data16};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
}
else {
const err38 = {instancePath:instancePath+"/options",schemaPath:"#/properties/options/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema15.properties.options.type,parentSchema:schema15.properties.options,data:data15};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data.cmds !== undefined){
let data26 = data.cmds;
if(Array.isArray(data26)){
if(data26.length < 1){
const err39 = {instancePath:instancePath+"/cmds",schemaPath:"#/properties/cmds/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema15.properties.cmds,data:data26};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
const len5 = data26.length;
for(let i5=0; i5<len5; i5++){
let data27 = data26[i5];
if(((typeof data27 !== "string") && (!(typeof data27 == "number"))) && (typeof data27 !== "boolean")){
let dataType19 = typeof data27;
let coerced19 = undefined;
if(!(coerced19 !== undefined)){
if(dataType19 == "number" || dataType19 == "boolean"){
coerced19 = "" + data27;
}
else if(data27 === null){
coerced19 = "";
}
else if(dataType19 == "boolean" || data27 === null
              || (dataType19 == "string" && data27 && data27 == +data27)){
coerced19 = +data27;
}
else if(data27 === "false" || data27 === 0 || data27 === null){
coerced19 = false;
}
else if(data27 === "true" || data27 === 1){
coerced19 = true;
}
else {
const err40 = {instancePath:instancePath+"/cmds/" + i5,schemaPath:"#/definitions/command/type",keyword:"type",params:{type: schema26.type},message:"must be string,number,boolean",schema:schema26.type,parentSchema:schema26,data:data27};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(coerced19 !== undefined){
data27 = coerced19;
if(data26 !== undefined){
data26[i5] = coerced19;
}
}
}
if(typeof data27 === "string"){
if(!pattern8.test(data27)){
const err41 = {instancePath:instancePath+"/cmds/" + i5,schemaPath:"#/definitions/command/pattern",keyword:"pattern",params:{pattern: "^(?![\\s\\S]*\\u0000)\\s*\\S"},message:"must match pattern \""+"^(?![\\s\\S]*\\u0000)\\s*\\S"+"\"",schema:"^(?![\\s\\S]*\\u0000)\\s*\\S",parentSchema:schema26,data:data27};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
}
else {
const err42 = {instancePath:instancePath+"/cmds",schemaPath:"#/properties/cmds/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema15.properties.cmds.type,parentSchema:schema15.properties.cmds,data:data26};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data.rely !== undefined){
let data28 = data.rely;
if((!(Array.isArray(data28))) && (typeof data28 !== "string")){
let dataType20 = typeof data28;
let coerced20 = undefined;
if(!(coerced20 !== undefined)){
if(dataType20 == "number" || dataType20 == "boolean"){
coerced20 = "" + data28;
}
else if(data28 === null){
coerced20 = "";
}
else {
const err43 = {instancePath:instancePath+"/rely",schemaPath:"#/properties/rely/type",keyword:"type",params:{type: schema15.properties.rely.type},message:"must be array,string",schema:schema15.properties.rely.type,parentSchema:schema15.properties.rely,data:data28};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(coerced20 !== undefined){
data28 = coerced20;
if(data !== undefined){
data["rely"] = coerced20;
}
}
}
if(Array.isArray(data28)){
const len6 = data28.length;
for(let i6=0; i6<len6; i6++){
let data29 = data28[i6];
if(typeof data29 !== "string"){
let dataType21 = typeof data29;
let coerced21 = undefined;
if(!(coerced21 !== undefined)){
if(dataType21 == "number" || dataType21 == "boolean"){
coerced21 = "" + data29;
}
else if(data29 === null){
coerced21 = "";
}
else {
const err44 = {instancePath:instancePath+"/rely/" + i6,schemaPath:"#/properties/rely/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.properties.rely.items.type,parentSchema:schema15.properties.rely.items,data:data29};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(coerced21 !== undefined){
data29 = coerced21;
if(data28 !== undefined){
data28[i6] = coerced21;
}
}
}
}
}
}
if(data.retry !== undefined){
let data30 = data.retry;
if(data30 && typeof data30 == "object" && !Array.isArray(data30)){
for(let key4 in data30){
if(!((((key4 === "max") || (key4 === "on")) || (key4 === "grow")) || (key4 === "cap"))){
const err45 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema15.properties.retry,data:data30};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data30.max !== undefined){
let data31 = data30.max;
if(!((typeof data31 == "number") && (!(data31 % 1) && !isNaN(data31)))){
let dataType22 = typeof data31;
let coerced22 = undefined;
if(!(coerced22 !== undefined)){
if(dataType22 === "boolean" || data31 === null
              || (dataType22 === "string" && data31 && data31 == +data31 && !(data31 % 1))){
coerced22 = +data31;
}
else {
const err46 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema15.properties.retry.properties.max.type,parentSchema:schema15.properties.retry.properties.max,data:data31};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(coerced22 !== undefined){
data31 = coerced22;
if(data30 !== undefined){
data30["max"] = coerced22;
}
}
}
if(typeof data31 == "number"){
if(data31 > 20 || isNaN(data31)){
const err47 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/maximum",keyword:"maximum",params:{comparison: "<=", limit: 20},message:"must be <= 20",schema:20,parentSchema:schema15.properties.retry.properties.max,data:data31};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
if(data31 < 1 || isNaN(data31)){
const err48 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema15.properties.retry.properties.max,data:data31};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
}
if(data30.on !== undefined){
let data32 = data30.on;
if(Array.isArray(data32)){
const len7 = data32.length;
for(let i7=0; i7<len7; i7++){
let data33 = data32[i7];
if(!((((((data33 === "oom") || (data33 === "disk")) || (data33 === "timeout")) || (data33 === "lost")) || (data33 === "undelivered")) || (data33 === "exit"))){
const err49 = {instancePath:instancePath+"/retry/on/" + i7,schemaPath:"#/definitions/reason/enum",keyword:"enum",params:{allowedValues: schema27.enum},message:"must be equal to one of the allowed values",schema:schema27.enum,parentSchema:schema27,data:data33};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
}
else {
const err50 = {instancePath:instancePath+"/retry/on",schemaPath:"#/properties/retry/properties/on/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema15.properties.retry.properties.on.type,parentSchema:schema15.properties.retry.properties.on,data:data32};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(data30.grow !== undefined){
let data34 = data30.grow;
if(!(typeof data34 == "number")){
let dataType23 = typeof data34;
let coerced23 = undefined;
if(!(coerced23 !== undefined)){
if(dataType23 == "boolean" || data34 === null
              || (dataType23 == "string" && data34 && data34 == +data34)){
coerced23 = +data34;
}
else {
const err51 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema15.properties.retry.properties.grow.type,parentSchema:schema15.properties.retry.properties.grow,data:data34};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(coerced23 !== undefined){
data34 = coerced23;
if(data30 !== undefined){
data30["grow"] = coerced23;
}
}
}
if(typeof data34 == "number"){
if(data34 > 16 || isNaN(data34)){
const err52 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/maximum",keyword:"maximum",params:{comparison: "<=", limit: 16},message:"must be <= 16",schema:16,parentSchema:schema15.properties.retry.properties.grow,data:data34};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
if(data34 <= 1 || isNaN(data34)){
const err53 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 1},message:"must be > 1",schema:1,parentSchema:schema15.properties.retry.properties.grow,data:data34};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
}
if(data30.cap !== undefined){
let data35 = data30.cap;
if(data35 && typeof data35 == "object" && !Array.isArray(data35)){
for(let key5 in data35){
if(!(((key5 === "mem") || (key5 === "disk")) || (key5 === "time"))){
const err54 = {instancePath:instancePath+"/retry/cap",schemaPath:"#/properties/retry/properties/cap/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema15.properties.retry.properties.cap,data:data35};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
if(data35.mem !== undefined){
let data36 = data35.mem;
if((!(typeof data36 == "number")) && (typeof data36 !== "string")){
let dataType24 = typeof data36;
let coerced24 = undefined;
if(!(coerced24 !== undefined)){
if(dataType24 == "boolean" || data36 === null
              || (dataType24 == "string" && data36 && data36 == +data36)){
coerced24 = +data36;
}
else if(dataType24 == "number" || dataType24 == "boolean"){
coerced24 = "" + data36;
}
else if(data36 === null){
coerced24 = "";
}
else {
const err55 = {instancePath:instancePath+"/retry/cap/mem",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema18.type},message:"must be number,string",schema:schema18.type,parentSchema:schema18,data:data36};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
if(coerced24 !== undefined){
data36 = coerced24;
if(data35 !== undefined){
data35["mem"] = coerced24;
}
}
}
}
if(data35.disk !== undefined){
let data37 = data35.disk;
if((!(typeof data37 == "number")) && (typeof data37 !== "string")){
let dataType25 = typeof data37;
let coerced25 = undefined;
if(!(coerced25 !== undefined)){
if(dataType25 == "boolean" || data37 === null
              || (dataType25 == "string" && data37 && data37 == +data37)){
coerced25 = +data37;
}
else if(dataType25 == "number" || dataType25 == "boolean"){
coerced25 = "" + data37;
}
else if(data37 === null){
coerced25 = "";
}
else {
const err56 = {instancePath:instancePath+"/retry/cap/disk",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema18.type},message:"must be number,string",schema:schema18.type,parentSchema:schema18,data:data37};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(coerced25 !== undefined){
data37 = coerced25;
if(data35 !== undefined){
data35["disk"] = coerced25;
}
}
}
}
if(data35.time !== undefined){
let data38 = data35.time;
if((!(typeof data38 == "number")) && (typeof data38 !== "string")){
let dataType26 = typeof data38;
let coerced26 = undefined;
if(!(coerced26 !== undefined)){
if(dataType26 == "boolean" || data38 === null
              || (dataType26 == "string" && data38 && data38 == +data38)){
coerced26 = +data38;
}
else if(dataType26 == "number" || dataType26 == "boolean"){
coerced26 = "" + data38;
}
else if(data38 === null){
coerced26 = "";
}
else {
const err57 = {instancePath:instancePath+"/retry/cap/time",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: schema20.type},message:"must be number,string",schema:schema20.type,parentSchema:schema20,data:data38};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
if(coerced26 !== undefined){
data38 = coerced26;
if(data35 !== undefined){
data35["time"] = coerced26;
}
}
}
}
}
else {
const err58 = {instancePath:instancePath+"/retry/cap",schemaPath:"#/properties/retry/properties/cap/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema15.properties.retry.properties.cap.type,parentSchema:schema15.properties.retry.properties.cap,data:data35};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
}
else {
const err59 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema15.properties.retry.type,parentSchema:schema15.properties.retry,data:data30};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
}
else {
const err60 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema15.type,parentSchema:schema15,data};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://toolflow.dev/schema/workflow.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.tools === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "tools"},message:"must have required property '"+"tools"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(let key0 in data){
if(!(((((key0 === "name") || (key0 === "description")) || (key0 === "inputs")) || (key0 === "envvars")) || (key0 === "tools"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 !== "string"){
let dataType0 = typeof data0;
let coerced0 = undefined;
if(!(coerced0 !== undefined)){
if(dataType0 == "number" || dataType0 == "boolean"){
coerced0 = "" + data0;
}
else if(data0 === null){
coerced0 = "";
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.type,parentSchema:schema12,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(coerced0 !== undefined){
data0 = coerced0;
if(data !== undefined){
data["name"] = coerced0;
}
}
}
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err4 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z][A-Za-z0-9_-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z][A-Za-z0-9_-]{0,62}$"+"\"",schema:"^[A-Za-z][A-Za-z0-9_-]{0,62}$",parentSchema:schema12,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
if(data.description !== undefined){
let data1 = data.description;
if(typeof data1 !== "string"){
let dataType1 = typeof data1;
let coerced1 = undefined;
if(!(coerced1 !== undefined)){
if(dataType1 == "number" || dataType1 == "boolean"){
coerced1 = "" + data1;
}
else if(data1 === null){
coerced1 = "";
}
else {
const err5 = {instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.description.type,parentSchema:schema11.properties.description,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(coerced1 !== undefined){
data1 = coerced1;
if(data !== undefined){
data["description"] = coerced1;
}
}
}
}
if(data.inputs !== undefined){
let data2 = data.inputs;
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
for(let key1 in data2){
const _errs9 = errors;
if(typeof key1 !== "string"){
let dataType2 = typeof key1;
let coerced2 = undefined;
if(!(coerced2 !== undefined)){
if(dataType2 == "number" || dataType2 == "boolean"){
coerced2 = "" + key1;
}
else if(key1 === null){
coerced2 = "";
}
else {
const err6 = {instancePath:instancePath+"/inputs",schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.type,parentSchema:schema12,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(coerced2 !== undefined){
key1 = coerced2;
if(data2 !== undefined){
data2["inputs"] = coerced2;
}
}
}
if(typeof key1 === "string"){
if(!pattern0.test(key1)){
const err7 = {instancePath:instancePath+"/inputs",schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z][A-Za-z0-9_-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z][A-Za-z0-9_-]{0,62}$"+"\"",schema:"^[A-Za-z][A-Za-z0-9_-]{0,62}$",parentSchema:schema12,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
var valid2 = _errs9 === errors;
if(!valid2){
const err8 = {instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid",schema:schema11.properties.inputs.propertyNames,parentSchema:schema11.properties.inputs,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
for(let key2 in data2){
let data3 = data2[key2];
if(data3 && typeof data3 == "object" && !Array.isArray(data3)){
for(let key3 in data3){
if(!(((key3 === "type") || (key3 === "required")) || (key3 === "description"))){
const err9 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/inputs/additionalProperties/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.inputs.additionalProperties,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data3.type !== undefined){
let data4 = data3.type;
if(!(data4 === "file")){
const err10 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/type",schemaPath:"#/properties/inputs/additionalProperties/properties/type/enum",keyword:"enum",params:{allowedValues: schema11.properties.inputs.additionalProperties.properties.type.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.inputs.additionalProperties.properties.type.enum,parentSchema:schema11.properties.inputs.additionalProperties.properties.type,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data3.required !== undefined){
let data5 = data3.required;
if(typeof data5 !== "boolean"){
let coerced3 = undefined;
if(!(coerced3 !== undefined)){
if(data5 === "false" || data5 === 0 || data5 === null){
coerced3 = false;
}
else if(data5 === "true" || data5 === 1){
coerced3 = true;
}
else {
const err11 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/required",schemaPath:"#/properties/inputs/additionalProperties/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.inputs.additionalProperties.properties.required.type,parentSchema:schema11.properties.inputs.additionalProperties.properties.required,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(coerced3 !== undefined){
data5 = coerced3;
if(data3 !== undefined){
data3["required"] = coerced3;
}
}
}
}
if(data3.description !== undefined){
let data6 = data3.description;
if(typeof data6 !== "string"){
let dataType4 = typeof data6;
let coerced4 = undefined;
if(!(coerced4 !== undefined)){
if(dataType4 == "number" || dataType4 == "boolean"){
coerced4 = "" + data6;
}
else if(data6 === null){
coerced4 = "";
}
else {
const err12 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/description",schemaPath:"#/properties/inputs/additionalProperties/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.inputs.additionalProperties.properties.description.type,parentSchema:schema11.properties.inputs.additionalProperties.properties.description,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(coerced4 !== undefined){
data6 = coerced4;
if(data3 !== undefined){
data3["description"] = coerced4;
}
}
}
}
}
else {
const err13 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/inputs/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.inputs.additionalProperties.type,parentSchema:schema11.properties.inputs.additionalProperties,data:data3};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
}
else {
const err14 = {instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.inputs.type,parentSchema:schema11.properties.inputs,data:data2};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.envvars !== undefined){
let data7 = data.envvars;
if(Array.isArray(data7)){
const len0 = data7.length;
for(let i0=0; i0<len0; i0++){
let data8 = data7[i0];
if(typeof data8 !== "string"){
let dataType5 = typeof data8;
let coerced5 = undefined;
if(!(coerced5 !== undefined)){
if(dataType5 == "number" || dataType5 == "boolean"){
coerced5 = "" + data8;
}
else if(data8 === null){
coerced5 = "";
}
else {
const err15 = {instancePath:instancePath+"/envvars/" + i0,schemaPath:"#/definitions/envvars/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.items.type,parentSchema:schema14.items,data:data8};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(coerced5 !== undefined){
data8 = coerced5;
if(data7 !== undefined){
data7[i0] = coerced5;
}
}
}
if(typeof data8 === "string"){
if(!pattern2.test(data8)){
const err16 = {instancePath:instancePath+"/envvars/" + i0,schemaPath:"#/definitions/envvars/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema14.items,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
}
else {
const err17 = {instancePath:instancePath+"/envvars",schemaPath:"#/definitions/envvars/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.type,parentSchema:schema14,data:data7};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.tools !== undefined){
let data9 = data.tools;
if(Array.isArray(data9)){
if(data9.length < 1){
const err18 = {instancePath:instancePath+"/tools",schemaPath:"#/properties/tools/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.tools,data:data9};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
const len1 = data9.length;
for(let i1=0; i1<len1; i1++){
if(!(validate11(data9[i1], {instancePath:instancePath+"/tools/" + i1,parentData:data9,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err19 = {instancePath:instancePath+"/tools",schemaPath:"#/properties/tools/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.tools.type,parentSchema:schema11.properties.tools,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
}
else {
const err20 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}
