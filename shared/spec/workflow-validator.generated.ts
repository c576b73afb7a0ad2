/* eslint-disable */
// @ts-nocheck
// Generated from schema/workflow.schema.json by scripts/generate-workflow-validator.mjs (npm run schemas): do not edit.
// ajv 8.20.0, options {"allErrors":true,"coerceTypes":true,"strict":false,"verbose":true}.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://toolflow.dev/schema/workflow.schema.json","title":"toolflow workflow","description":"A pipeline of command-line tools run in dependency order. Tools follow the tool YAML of the design doc (name, cpu, mem, description, output, env, options, cmds, rely), extended with image, disk, time, outputs, envvars, retry, scatter and publish.","type":"object","additionalProperties":false,"required":["name","tools"],"properties":{"name":{"$ref":"#/definitions/identifier","description":"Workflow name."},"description":{"type":"string"},"inputs":{"type":"object","description":"What a run is given. type: file (the default): one file, --input NAME=PATH, read at $TF_INPUT_NAME. type: samples: a sample sheet (CSV or TSV with a header row, --input NAME=SHEET) whose rows a tool may be scattered over; its declared columns are seen as $TF_ITEM_<column>. type: list: values or files given as repeated --input NAME=VALUE (or default), seen as $TF_ITEM by a tool scattered over it. In $TF_INPUT_NAME, '-' becomes '_', so names that differ only by '-' and '_' are refused.","propertyNames":{"$ref":"#/definitions/identifier"},"additionalProperties":{"type":"object","additionalProperties":false,"properties":{"type":{"enum":["file","samples","list"],"default":"file","description":"file: one file (--input NAME=PATH, $TF_INPUT_NAME). samples: a sample sheet (CSV or TSV with a header row) to scatter tools over, one instance per row. list: values or files (repeated --input NAME=VALUE) to scatter tools over, one instance per item."},"required":{"type":"boolean","default":true,"description":"Whether the run must be given this input."},"description":{"type":"string"},"columns":{"type":"object","description":"type: samples only: the sheet's columns, each with its type (string, int, float, bool, or file: a path relative to the sheet's folder, staged for the tool). The sheet must have exactly these columns, in any order. A tool scattered over the sheet sees each as $TF_ITEM_<column>, and may name outputs with {column}.","propertyNames":{"$ref":"#/definitions/optionName"},"additionalProperties":{"$ref":"#/definitions/column"}},"key":{"$ref":"#/definitions/optionName","description":"type: samples only: the column naming each row (instances are named tool[KEY]); its values are unique, letters, digits, '.', '_' and '-'. Default: the first declared column."},"of":{"enum":["string","file"],"default":"string","description":"type: list only: what each item is: a string (it is also the item's name), or a file (staged for the tool; named by its base name without extension)."},"default":{"type":"array","items":{"type":"string"},"description":"type: list only: the items when the run gives none."},"format":{"enum":["fastq","fasta","gzip","bam","text"],"description":"type: file, or list with of: file: what the file must be, checked on its first 64 KiB before the run starts: fastq or fasta (plain or gzip-compressed), bam (BGZF starting BAM\\1), gzip (any gzip data, BAM included) or text (UTF-8 without NUL bytes). An empty file fits none."}}}},"envvars":{"$ref":"#/definitions/envvars","description":"Variables passed to every tool from toolflow's environment when set (as Snakemake's envvars): LD_LIBRARY_PATH, CONDA_PREFIX, JAVA_HOME, PYTHONPATH, http_proxy... Never TF_*, TOOLFLOW_*, AWS_* or names containing SECRET, PASSWORD, TOKEN or CREDENTIAL."},"tools":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/tool"}}},"definitions":{"identifier":{"type":"string","pattern":"^[A-Za-z][A-Za-z0-9_-]{0,62}$","description":"Starts with a letter; letters, digits, '_' and '-'; at most 63 characters."},"optionName":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]{0,62}$","description":"A shell variable name: letters, digits and '_', not starting with a digit."},"cpu":{"description":"Cores (2, 0.5) or millicores (\"500m\").","type":["number","string"]},"bytes":{"description":"A size: bytes, or a number with K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024).","type":["number","string"]},"scalar":{"type":["string","number","boolean"]},"reason":{"enum":["oom","disk","timeout","lost","undelivered","exit"]},"tool":{"type":"object","additionalProperties":false,"required":["name","cmds"],"properties":{"name":{"$ref":"#/definitions/identifier"},"cpu":{"$ref":"#/definitions/cpu","default":1},"mem":{"$ref":"#/definitions/bytes","default":"1Gi"},"disk":{"$ref":"#/definitions/bytes","description":"Ephemeral storage (a Pod's ephemeral-storage limit in cluster mode)."},"time":{"$ref":"#/definitions/duration","description":"Wall-clock limit of one attempt, from its start (Nextflow's time, Snakemake's runtime): an attempt still running then is stopped and fails with reason timeout. Default: none."},"image":{"type":"string","description":"Container image used in cluster mode."},"description":{"type":"string"},"output":{"type":"string","description":"Free text: what the tool produces (design doc field)."},"outputs":{"description":"Files (relative to the tool's work dir) the tool must write; missing ones fail the tool. A list of paths, or named outputs: a mapping NAME: PATH, where the tool writes $TF_OUT_NAME and later tools read it at $TF_DEP_<tool>_NAME. In a scattered tool, PATH may hold {column} placeholders of the item ({item} for a list), e.g. \"{sample}.bam\".","type":["array","object"],"items":{"type":"string","minLength":1},"propertyNames":{"$ref":"#/definitions/optionName"},"additionalProperties":{"type":"string","minLength":1}},"scatter":{"type":"string","description":"A samples or list input: the tool runs once per row or item (instances tool[KEY]), each seeing the item as $TF_ITEM_<column> ($TF_ITEM for a list). Tools scattered over the same input chain item by item; a tool that relies on a scattered tool without being scattered over the same input gathers all its instances."},"publish":{"type":["boolean","array"],"items":{"type":"string"},"description":"Outputs copied to the results folder by --outdir: true (every declared output), or a list of output names (for the list form of outputs, their paths). false: none."},"env":{"description":"Environment variables: a list of KEY=VALUE strings or a mapping. Values are passed literally.","type":["array","object"],"items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*=","description":"KEY=VALUE, KEY a shell variable name"},"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"envvars":{"$ref":"#/definitions/envvars","description":"More variables passed from toolflow's environment when set, added to the workflow's envvars. A name also set in env takes env's value. Same reserved names as the workflow's envvars."},"options":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/optionName"},"desc":{"type":"string"},"type":{"enum":["string","str","int","integer","float","number","bool","boolean"],"default":"string"},"required":{"type":"boolean","default":false},"default":{"$ref":"#/definitions/scalar"},"enum":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/scalar"}},"min":{"type":"number","description":"Lowest value; int and float options only."},"max":{"type":"number","description":"Highest value; int and float options only."}}}},"cmds":{"description":"Shell commands, run in order by bash with set -euo pipefail.","type":"array","minItems":1,"items":{"$ref":"#/definitions/command"}},"rely":{"description":"Tools this one runs after: a list, or the design doc's \"tool1;tool2\" string.","type":["array","string"],"items":{"type":"string"}},"retry":{"type":"object","additionalProperties":false,"properties":{"max":{"type":"integer","minimum":1,"maximum":20,"default":3,"description":"Attempts in all, the first included."},"on":{"type":"array","items":{"$ref":"#/definitions/reason"},"default":["oom","disk","lost","undelivered"],"description":"Failure reasons that rerun the tool (add exit for plain failures, timeout to rerun with more time)."},"grow":{"type":"number","exclusiveMinimum":1,"maximum":16,"default":2,"description":"Factor applied to the resource that ran out (memory, disk, or time after a timeout)."},"cap":{"type":"object","additionalProperties":false,"properties":{"mem":{"$ref":"#/definitions/bytes","default":"64G"},"disk":{"$ref":"#/definitions/bytes","default":"500G"},"time":{"$ref":"#/definitions/duration","default":"7d","description":"Upper bound of time for reruns after a timeout; not below the tool's time."}}}}}}},"envvars":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"}},"duration":{"description":"A time: seconds (3600), or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m). A bare number is seconds.","type":["number","string"]},"command":{"type":["string","number","boolean"],"pattern":"^(?![\\s\\S]*\\u0000)\\s*\\S","description":"a command may not be empty or only blanks, nor hold a NUL character"},"column":{"type":"object","additionalProperties":false,"properties":{"type":{"enum":["string","int","float","bool","file"],"default":"string","description":"How a cell is checked: string, int, float, bool (true/false), or file (a path relative to the sheet's folder, or absolute; it must exist; the tool sees the staged copy's path)."},"required":{"type":"boolean","default":true,"description":"false: an empty cell is allowed (the variable is then empty)."},"format":{"enum":["fastq","fasta","gzip","bam","text"],"description":"type: file only: what each cell's file must be (as an input's format: fastq, fasta, gzip, bam or text), checked on its first 64 KiB before the run starts."}}}}};
const schema12 = {"type":"string","pattern":"^[A-Za-z][A-Za-z0-9_-]{0,62}$","description":"Starts with a letter; letters, digits, '_' and '-'; at most 63 characters."};
const schema14 = {"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]{0,62}$","description":"A shell variable name: letters, digits and '_', not starting with a digit."};
const schema15 = {"type":"object","additionalProperties":false,"properties":{"type":{"enum":["string","int","float","bool","file"],"default":"string","description":"How a cell is checked: string, int, float, bool (true/false), or file (a path relative to the sheet's folder, or absolute; it must exist; the tool sees the staged copy's path)."},"required":{"type":"boolean","default":true,"description":"false: an empty cell is allowed (the variable is then empty)."},"format":{"enum":["fastq","fasta","gzip","bam","text"],"description":"type: file only: what each cell's file must be (as an input's format: fastq, fasta, gzip, bam or text), checked on its first 64 KiB before the run starts."}}};
const schema17 = {"type":"array","items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"}};
const pattern0 = new RegExp("^[A-Za-z][A-Za-z0-9_-]{0,62}$", "u");
const pattern2 = new RegExp("^[A-Za-z_][A-Za-z0-9_]{0,62}$", "u");
const pattern4 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const schema18 = {"type":"object","additionalProperties":false,"required":["name","cmds"],"properties":{"name":{"$ref":"#/definitions/identifier"},"cpu":{"$ref":"#/definitions/cpu","default":1},"mem":{"$ref":"#/definitions/bytes","default":"1Gi"},"disk":{"$ref":"#/definitions/bytes","description":"Ephemeral storage (a Pod's ephemeral-storage limit in cluster mode)."},"time":{"$ref":"#/definitions/duration","description":"Wall-clock limit of one attempt, from its start (Nextflow's time, Snakemake's runtime): an attempt still running then is stopped and fails with reason timeout. Default: none."},"image":{"type":"string","description":"Container image used in cluster mode."},"description":{"type":"string"},"output":{"type":"string","description":"Free text: what the tool produces (design doc field)."},"outputs":{"description":"Files (relative to the tool's work dir) the tool must write; missing ones fail the tool. A list of paths, or named outputs: a mapping NAME: PATH, where the tool writes $TF_OUT_NAME and later tools read it at $TF_DEP_<tool>_NAME. In a scattered tool, PATH may hold {column} placeholders of the item ({item} for a list), e.g. \"{sample}.bam\".","type":["array","object"],"items":{"type":"string","minLength":1},"propertyNames":{"$ref":"#/definitions/optionName"},"additionalProperties":{"type":"string","minLength":1}},"scatter":{"type":"string","description":"A samples or list input: the tool runs once per row or item (instances tool[KEY]), each seeing the item as $TF_ITEM_<column> ($TF_ITEM for a list). Tools scattered over the same input chain item by item; a tool that relies on a scattered tool without being scattered over the same input gathers all its instances."},"publish":{"type":["boolean","array"],"items":{"type":"string"},"description":"Outputs copied to the results folder by --outdir: true (every declared output), or a list of output names (for the list form of outputs, their paths). false: none."},"env":{"description":"Environment variables: a list of KEY=VALUE strings or a mapping. Values are passed literally.","type":["array","object"],"items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*=","description":"KEY=VALUE, KEY a shell variable name"},"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","description":"a shell variable name"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"envvars":{"$ref":"#/definitions/envvars","description":"More variables passed from toolflow's environment when set, added to the workflow's envvars. A name also set in env takes env's value. Same reserved names as the workflow's envvars."},"options":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/optionName"},"desc":{"type":"string"},"type":{"enum":["string","str","int","integer","float","number","bool","boolean"],"default":"string"},"required":{"type":"boolean","default":false},"default":{"$ref":"#/definitions/scalar"},"enum":{"type":"array","minItems":1,"items":{"$ref":"#/definitions/scalar"}},"min":{"type":"number","description":"Lowest value; int and float options only."},"max":{"type":"number","description":"Highest value; int and float options only."}}}},"cmds":{"description":"Shell commands, run in order by bash with set -euo pipefail.","type":"array","minItems":1,"items":{"$ref":"#/definitions/command"}},"rely":{"description":"Tools this one runs after: a list, or the design doc's \"tool1;tool2\" string.","type":["array","string"],"items":{"type":"string"}},"retry":{"type":"object","additionalProperties":false,"properties":{"max":{"type":"integer","minimum":1,"maximum":20,"default":3,"description":"Attempts in all, the first included."},"on":{"type":"array","items":{"$ref":"#/definitions/reason"},"default":["oom","disk","lost","undelivered"],"description":"Failure reasons that rerun the tool (add exit for plain failures, timeout to rerun with more time)."},"grow":{"type":"number","exclusiveMinimum":1,"maximum":16,"default":2,"description":"Factor applied to the resource that ran out (memory, disk, or time after a timeout)."},"cap":{"type":"object","additionalProperties":false,"properties":{"mem":{"$ref":"#/definitions/bytes","default":"64G"},"disk":{"$ref":"#/definitions/bytes","default":"500G"},"time":{"$ref":"#/definitions/duration","default":"7d","description":"Upper bound of time for reruns after a timeout; not below the tool's time."}}}}}}};
const schema20 = {"description":"Cores (2, 0.5) or millicores (\"500m\").","type":["number","string"]};
const schema21 = {"description":"A size: bytes, or a number with K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024).","type":["number","string"]};
const schema23 = {"description":"A time: seconds (3600), or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m). A bare number is seconds.","type":["number","string"]};
const schema25 = {"type":["string","number","boolean"]};
const schema30 = {"type":["string","number","boolean"],"pattern":"^(?![\\s\\S]*\\u0000)\\s*\\S","description":"a command may not be empty or only blanks, nor hold a NUL character"};
const schema31 = {"enum":["oom","disk","timeout","lost","undelivered","exit"]};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const pattern7 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*=", "u");
const pattern11 = new RegExp("^(?![\\s\\S]*\\u0000)\\s*\\S", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema18.required,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.cmds === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cmds"},message:"must have required property '"+"cmds"+"'",schema:schema18.required,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(let key0 in data){
if(!(func2.call(schema18.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema18,data};
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
const err5 = {instancePath:instancePath+"/cpu",schemaPath:"#/definitions/cpu/type",keyword:"type",params:{type: schema20.type},message:"must be number,string",schema:schema20.type,parentSchema:schema20,data:data1};
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
const err6 = {instancePath:instancePath+"/mem",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema21.type},message:"must be number,string",schema:schema21.type,parentSchema:schema21,data:data2};
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
const err7 = {instancePath:instancePath+"/disk",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema21.type},message:"must be number,string",schema:schema21.type,parentSchema:schema21,data:data3};
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
const err8 = {instancePath:instancePath+"/time",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: schema23.type},message:"must be number,string",schema:schema23.type,parentSchema:schema23,data:data4};
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
const err9 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.image.type,parentSchema:schema18.properties.image,data:data5};
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
const err10 = {instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.description.type,parentSchema:schema18.properties.description,data:data6};
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
const err11 = {instancePath:instancePath+"/output",schemaPath:"#/properties/output/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.output.type,parentSchema:schema18.properties.output,data:data7};
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
if(!data8 || typeof data8 != "object"){
const err12 = {instancePath:instancePath+"/outputs",schemaPath:"#/properties/outputs/type",keyword:"type",params:{type: schema18.properties.outputs.type},message:"must be array,object",schema:schema18.properties.outputs.type,parentSchema:schema18.properties.outputs,data:data8};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
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
const err13 = {instancePath:instancePath+"/outputs/" + i0,schemaPath:"#/properties/outputs/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.outputs.items.type,parentSchema:schema18.properties.outputs.items,data:data9};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
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
const err14 = {instancePath:instancePath+"/outputs/" + i0,schemaPath:"#/properties/outputs/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema18.properties.outputs.items,data:data9};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
}
}
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
for(let key1 in data8){
const _errs27 = errors;
if(typeof key1 !== "string"){
let dataType9 = typeof key1;
let coerced9 = undefined;
if(!(coerced9 !== undefined)){
if(dataType9 == "number" || dataType9 == "boolean"){
coerced9 = "" + key1;
}
else if(key1 === null){
coerced9 = "";
}
else {
const err15 = {instancePath:instancePath+"/outputs",schemaPath:"#/definitions/optionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(coerced9 !== undefined){
key1 = coerced9;
if(data8 !== undefined){
data8["outputs"] = coerced9;
}
}
}
if(typeof key1 === "string"){
if(!pattern2.test(key1)){
const err16 = {instancePath:instancePath+"/outputs",schemaPath:"#/definitions/optionName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]{0,62}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]{0,62}$",parentSchema:schema14,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
var valid8 = _errs27 === errors;
if(!valid8){
const err17 = {instancePath:instancePath+"/outputs",schemaPath:"#/properties/outputs/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid",schema:schema18.properties.outputs.propertyNames,parentSchema:schema18.properties.outputs,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
for(let key2 in data8){
let data10 = data8[key2];
if(typeof data10 !== "string"){
let dataType10 = typeof data10;
let coerced10 = undefined;
if(!(coerced10 !== undefined)){
if(dataType10 == "number" || dataType10 == "boolean"){
coerced10 = "" + data10;
}
else if(data10 === null){
coerced10 = "";
}
else {
const err18 = {instancePath:instancePath+"/outputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/outputs/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.outputs.additionalProperties.type,parentSchema:schema18.properties.outputs.additionalProperties,data:data10};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(coerced10 !== undefined){
data10 = coerced10;
if(data8 !== undefined){
data8[key2] = coerced10;
}
}
}
if(typeof data10 === "string"){
if(func3(data10) < 1){
const err19 = {instancePath:instancePath+"/outputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/outputs/additionalProperties/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema18.properties.outputs.additionalProperties,data:data10};
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
}
}
if(data.scatter !== undefined){
let data11 = data.scatter;
if(typeof data11 !== "string"){
let dataType11 = typeof data11;
let coerced11 = undefined;
if(!(coerced11 !== undefined)){
if(dataType11 == "number" || dataType11 == "boolean"){
coerced11 = "" + data11;
}
else if(data11 === null){
coerced11 = "";
}
else {
const err20 = {instancePath:instancePath+"/scatter",schemaPath:"#/properties/scatter/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.scatter.type,parentSchema:schema18.properties.scatter,data:data11};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(coerced11 !== undefined){
data11 = coerced11;
if(data !== undefined){
data["scatter"] = coerced11;
}
}
}
}
if(data.publish !== undefined){
let data12 = data.publish;
if((typeof data12 !== "boolean") && (!(Array.isArray(data12)))){
let coerced12 = undefined;
if(!(coerced12 !== undefined)){
if(data12 === "false" || data12 === 0 || data12 === null){
coerced12 = false;
}
else if(data12 === "true" || data12 === 1){
coerced12 = true;
}
else {
const err21 = {instancePath:instancePath+"/publish",schemaPath:"#/properties/publish/type",keyword:"type",params:{type: schema18.properties.publish.type},message:"must be boolean,array",schema:schema18.properties.publish.type,parentSchema:schema18.properties.publish,data:data12};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(coerced12 !== undefined){
data12 = coerced12;
if(data !== undefined){
data["publish"] = coerced12;
}
}
}
if(Array.isArray(data12)){
const len1 = data12.length;
for(let i1=0; i1<len1; i1++){
let data13 = data12[i1];
if(typeof data13 !== "string"){
let dataType13 = typeof data13;
let coerced13 = undefined;
if(!(coerced13 !== undefined)){
if(dataType13 == "number" || dataType13 == "boolean"){
coerced13 = "" + data13;
}
else if(data13 === null){
coerced13 = "";
}
else {
const err22 = {instancePath:instancePath+"/publish/" + i1,schemaPath:"#/properties/publish/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.publish.items.type,parentSchema:schema18.properties.publish.items,data:data13};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(coerced13 !== undefined){
data13 = coerced13;
if(data12 !== undefined){
data12[i1] = coerced13;
}
}
}
}
}
}
if(data.env !== undefined){
let data14 = data.env;
if(!data14 || typeof data14 != "object"){
const err23 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: schema18.properties.env.type},message:"must be array,object",schema:schema18.properties.env.type,parentSchema:schema18.properties.env,data:data14};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(Array.isArray(data14)){
const len2 = data14.length;
for(let i2=0; i2<len2; i2++){
let data15 = data14[i2];
if(typeof data15 !== "string"){
let dataType14 = typeof data15;
let coerced14 = undefined;
if(!(coerced14 !== undefined)){
if(dataType14 == "number" || dataType14 == "boolean"){
coerced14 = "" + data15;
}
else if(data15 === null){
coerced14 = "";
}
else {
const err24 = {instancePath:instancePath+"/env/" + i2,schemaPath:"#/properties/env/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.env.items.type,parentSchema:schema18.properties.env.items,data:data15};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(coerced14 !== undefined){
data15 = coerced14;
if(data14 !== undefined){
data14[i2] = coerced14;
}
}
}
if(typeof data15 === "string"){
if(!pattern7.test(data15)){
const err25 = {instancePath:instancePath+"/env/" + i2,schemaPath:"#/properties/env/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*="},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*="+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*=",parentSchema:schema18.properties.env.items,data:data15};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
}
if(data14 && typeof data14 == "object" && !Array.isArray(data14)){
for(let key3 in data14){
const _errs43 = errors;
if(typeof key3 === "string"){
if(!pattern4.test(key3)){
const err26 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema18.properties.env.propertyNames,data:key3,propertyName:key3};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
var valid15 = _errs43 === errors;
if(!valid15){
const err27 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames",keyword:"propertyNames",params:{propertyName: key3},message:"property name must be valid",schema:schema18.properties.env.propertyNames,parentSchema:schema18.properties.env,data:data14};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
for(let key4 in data14){
let data16 = data14[key4];
if(((typeof data16 !== "string") && (!(typeof data16 == "number"))) && (typeof data16 !== "boolean")){
let dataType15 = typeof data16;
let coerced15 = undefined;
if(!(coerced15 !== undefined)){
if(dataType15 == "number" || dataType15 == "boolean"){
coerced15 = "" + data16;
}
else if(data16 === null){
coerced15 = "";
}
else if(dataType15 == "boolean" || data16 === null
              || (dataType15 == "string" && data16 && data16 == +data16)){
coerced15 = +data16;
}
else if(data16 === "false" || data16 === 0 || data16 === null){
coerced15 = false;
}
else if(data16 === "true" || data16 === 1){
coerced15 = true;
}
else {
const err28 = {instancePath:instancePath+"/env/" + key4.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema25.type},message:"must be string,number,boolean",schema:schema25.type,parentSchema:schema25,data:data16};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(coerced15 !== undefined){
data16 = coerced15;
if(data14 !== undefined){
data14[key4] = coerced15;
}
}
}
}
}
}
if(data.envvars !== undefined){
let data17 = data.envvars;
if(Array.isArray(data17)){
const len3 = data17.length;
for(let i3=0; i3<len3; i3++){
let data18 = data17[i3];
if(typeof data18 !== "string"){
let dataType16 = typeof data18;
let coerced16 = undefined;
if(!(coerced16 !== undefined)){
if(dataType16 == "number" || dataType16 == "boolean"){
coerced16 = "" + data18;
}
else if(data18 === null){
coerced16 = "";
}
else {
const err29 = {instancePath:instancePath+"/envvars/" + i3,schemaPath:"#/definitions/envvars/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.items.type,parentSchema:schema17.items,data:data18};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(coerced16 !== undefined){
data18 = coerced16;
if(data17 !== undefined){
data17[i3] = coerced16;
}
}
}
if(typeof data18 === "string"){
if(!pattern4.test(data18)){
const err30 = {instancePath:instancePath+"/envvars/" + i3,schemaPath:"#/definitions/envvars/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema17.items,data:data18};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
}
else {
const err31 = {instancePath:instancePath+"/envvars",schemaPath:"#/definitions/envvars/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema17.type,parentSchema:schema17,data:data17};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data.options !== undefined){
let data19 = data.options;
if(Array.isArray(data19)){
const len4 = data19.length;
for(let i4=0; i4<len4; i4++){
let data20 = data19[i4];
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.name === undefined){
const err32 = {instancePath:instancePath+"/options/" + i4,schemaPath:"#/properties/options/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema18.properties.options.items.required,parentSchema:schema18.properties.options.items,data:data20};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
for(let key5 in data20){
if(!((((((((key5 === "name") || (key5 === "desc")) || (key5 === "type")) || (key5 === "required")) || (key5 === "default")) || (key5 === "enum")) || (key5 === "min")) || (key5 === "max"))){
const err33 = {instancePath:instancePath+"/options/" + i4,schemaPath:"#/properties/options/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema18.properties.options.items,data:data20};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(data20.name !== undefined){
let data21 = data20.name;
if(typeof data21 !== "string"){
let dataType17 = typeof data21;
let coerced17 = undefined;
if(!(coerced17 !== undefined)){
if(dataType17 == "number" || dataType17 == "boolean"){
coerced17 = "" + data21;
}
else if(data21 === null){
coerced17 = "";
}
else {
const err34 = {instancePath:instancePath+"/options/" + i4+"/name",schemaPath:"#/definitions/optionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:data21};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(coerced17 !== undefined){
data21 = coerced17;
if(data20 !== undefined){
data20["name"] = coerced17;
}
}
}
if(typeof data21 === "string"){
if(!pattern2.test(data21)){
const err35 = {instancePath:instancePath+"/options/" + i4+"/name",schemaPath:"#/definitions/optionName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]{0,62}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]{0,62}$",parentSchema:schema14,data:data21};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
if(data20.desc !== undefined){
let data22 = data20.desc;
if(typeof data22 !== "string"){
let dataType18 = typeof data22;
let coerced18 = undefined;
if(!(coerced18 !== undefined)){
if(dataType18 == "number" || dataType18 == "boolean"){
coerced18 = "" + data22;
}
else if(data22 === null){
coerced18 = "";
}
else {
const err36 = {instancePath:instancePath+"/options/" + i4+"/desc",schemaPath:"#/properties/options/items/properties/desc/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.options.items.properties.desc.type,parentSchema:schema18.properties.options.items.properties.desc,data:data22};
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
data22 = coerced18;
if(data20 !== undefined){
data20["desc"] = coerced18;
}
}
}
}
if(data20.type !== undefined){
let data23 = data20.type;
if(!((((((((data23 === "string") || (data23 === "str")) || (data23 === "int")) || (data23 === "integer")) || (data23 === "float")) || (data23 === "number")) || (data23 === "bool")) || (data23 === "boolean"))){
const err37 = {instancePath:instancePath+"/options/" + i4+"/type",schemaPath:"#/properties/options/items/properties/type/enum",keyword:"enum",params:{allowedValues: schema18.properties.options.items.properties.type.enum},message:"must be equal to one of the allowed values",schema:schema18.properties.options.items.properties.type.enum,parentSchema:schema18.properties.options.items.properties.type,data:data23};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data20.required !== undefined){
let data24 = data20.required;
if(typeof data24 !== "boolean"){
let coerced19 = undefined;
if(!(coerced19 !== undefined)){
if(data24 === "false" || data24 === 0 || data24 === null){
coerced19 = false;
}
else if(data24 === "true" || data24 === 1){
coerced19 = true;
}
else {
const err38 = {instancePath:instancePath+"/options/" + i4+"/required",schemaPath:"#/properties/options/items/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema18.properties.options.items.properties.required.type,parentSchema:schema18.properties.options.items.properties.required,data:data24};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(coerced19 !== undefined){
data24 = coerced19;
if(data20 !== undefined){
data20["required"] = coerced19;
}
}
}
}
if(data20.default !== undefined){
let data25 = data20.default;
if(((typeof data25 !== "string") && (!(typeof data25 == "number"))) && (typeof data25 !== "boolean")){
let dataType20 = typeof data25;
let coerced20 = undefined;
if(!(coerced20 !== undefined)){
if(dataType20 == "number" || dataType20 == "boolean"){
coerced20 = "" + data25;
}
else if(data25 === null){
coerced20 = "";
}
else if(dataType20 == "boolean" || data25 === null
              || (dataType20 == "string" && data25 && data25 == +data25)){
coerced20 = +data25;
}
else if(data25 === "false" || data25 === 0 || data25 === null){
coerced20 = false;
}
else if(data25 === "true" || data25 === 1){
coerced20 = true;
}
else {
const err39 = {instancePath:instancePath+"/options/" + i4+"/default",schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema25.type},message:"must be string,number,boolean",schema:schema25.type,parentSchema:schema25,data:data25};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(coerced20 !== undefined){
data25 = coerced20;
if(data20 !== undefined){
data20["default"] = coerced20;
}
}
}
}
if(data20.enum !== undefined){
let data26 = data20.enum;
if(Array.isArray(data26)){
if(data26.length < 1){
const err40 = {instancePath:instancePath+"/options/" + i4+"/enum",schemaPath:"#/properties/options/items/properties/enum/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema18.properties.options.items.properties.enum,data:data26};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
const len5 = data26.length;
for(let i5=0; i5<len5; i5++){
let data27 = data26[i5];
if(((typeof data27 !== "string") && (!(typeof data27 == "number"))) && (typeof data27 !== "boolean")){
let dataType21 = typeof data27;
let coerced21 = undefined;
if(!(coerced21 !== undefined)){
if(dataType21 == "number" || dataType21 == "boolean"){
coerced21 = "" + data27;
}
else if(data27 === null){
coerced21 = "";
}
else if(dataType21 == "boolean" || data27 === null
              || (dataType21 == "string" && data27 && data27 == +data27)){
coerced21 = +data27;
}
else if(data27 === "false" || data27 === 0 || data27 === null){
coerced21 = false;
}
else if(data27 === "true" || data27 === 1){
coerced21 = true;
}
else {
const err41 = {instancePath:instancePath+"/options/" + i4+"/enum/" + i5,schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema25.type},message:"must be string,number,boolean",schema:schema25.type,parentSchema:schema25,data:data27};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
if(coerced21 !== undefined){
data27 = coerced21;
if(data26 !== undefined){
data26[i5] = coerced21;
}
}
}
}
}
else {
const err42 = {instancePath:instancePath+"/options/" + i4+"/enum",schemaPath:"#/properties/options/items/properties/enum/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema18.properties.options.items.properties.enum.type,parentSchema:schema18.properties.options.items.properties.enum,data:data26};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data20.min !== undefined){
let data28 = data20.min;
if(!(typeof data28 == "number")){
let dataType22 = typeof data28;
let coerced22 = undefined;
if(!(coerced22 !== undefined)){
if(dataType22 == "boolean" || data28 === null
              || (dataType22 == "string" && data28 && data28 == +data28)){
coerced22 = +data28;
}
else {
const err43 = {instancePath:instancePath+"/options/" + i4+"/min",schemaPath:"#/properties/options/items/properties/min/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema18.properties.options.items.properties.min.type,parentSchema:schema18.properties.options.items.properties.min,data:data28};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(coerced22 !== undefined){
data28 = coerced22;
if(data20 !== undefined){
data20["min"] = coerced22;
}
}
}
}
if(data20.max !== undefined){
let data29 = data20.max;
if(!(typeof data29 == "number")){
let dataType23 = typeof data29;
let coerced23 = undefined;
if(!(coerced23 !== undefined)){
if(dataType23 == "boolean" || data29 === null
              || (dataType23 == "string" && data29 && data29 == +data29)){
coerced23 = +data29;
}
else {
const err44 = {instancePath:instancePath+"/options/" + i4+"/max",schemaPath:"#/properties/options/items/properties/max/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema18.properties.options.items.properties.max.type,parentSchema:schema18.properties.options.items.properties.max,data:data29};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(coerced23 !== undefined){
data29 = coerced23;
if(data20 !== undefined){
data20["max"] = coerced23;
}
}
}
}
}
else {
const err45 = {instancePath:instancePath+"/options/" + i4,schemaPath:"#/properties/options/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema18.properties.options.items.type,parentSchema:schema18.properties.options.items,data:data20};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
}
else {
const err46 = {instancePath:instancePath+"/options",schemaPath:"#/properties/options/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema18.properties.options.type,parentSchema:schema18.properties.options,data:data19};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data.cmds !== undefined){
let data30 = data.cmds;
if(Array.isArray(data30)){
if(data30.length < 1){
const err47 = {instancePath:instancePath+"/cmds",schemaPath:"#/properties/cmds/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema18.properties.cmds,data:data30};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
const len6 = data30.length;
for(let i6=0; i6<len6; i6++){
let data31 = data30[i6];
if(((typeof data31 !== "string") && (!(typeof data31 == "number"))) && (typeof data31 !== "boolean")){
let dataType24 = typeof data31;
let coerced24 = undefined;
if(!(coerced24 !== undefined)){
if(dataType24 == "number" || dataType24 == "boolean"){
coerced24 = "" + data31;
}
else if(data31 === null){
coerced24 = "";
}
else if(dataType24 == "boolean" || data31 === null
              || (dataType24 == "string" && data31 && data31 == +data31)){
coerced24 = +data31;
}
else if(data31 === "false" || data31 === 0 || data31 === null){
coerced24 = false;
}
else if(data31 === "true" || data31 === 1){
coerced24 = true;
}
else {
const err48 = {instancePath:instancePath+"/cmds/" + i6,schemaPath:"#/definitions/command/type",keyword:"type",params:{type: schema30.type},message:"must be string,number,boolean",schema:schema30.type,parentSchema:schema30,data:data31};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(coerced24 !== undefined){
data31 = coerced24;
if(data30 !== undefined){
data30[i6] = coerced24;
}
}
}
if(typeof data31 === "string"){
if(!pattern11.test(data31)){
const err49 = {instancePath:instancePath+"/cmds/" + i6,schemaPath:"#/definitions/command/pattern",keyword:"pattern",params:{pattern: "^(?![\\s\\S]*\\u0000)\\s*\\S"},message:"must match pattern \""+"^(?![\\s\\S]*\\u0000)\\s*\\S"+"\"",schema:"^(?![\\s\\S]*\\u0000)\\s*\\S",parentSchema:schema30,data:data31};
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
}
else {
const err50 = {instancePath:instancePath+"/cmds",schemaPath:"#/properties/cmds/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema18.properties.cmds.type,parentSchema:schema18.properties.cmds,data:data30};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(data.rely !== undefined){
let data32 = data.rely;
if((!(Array.isArray(data32))) && (typeof data32 !== "string")){
let dataType25 = typeof data32;
let coerced25 = undefined;
if(!(coerced25 !== undefined)){
if(dataType25 == "number" || dataType25 == "boolean"){
coerced25 = "" + data32;
}
else if(data32 === null){
coerced25 = "";
}
else {
const err51 = {instancePath:instancePath+"/rely",schemaPath:"#/properties/rely/type",keyword:"type",params:{type: schema18.properties.rely.type},message:"must be array,string",schema:schema18.properties.rely.type,parentSchema:schema18.properties.rely,data:data32};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(coerced25 !== undefined){
data32 = coerced25;
if(data !== undefined){
data["rely"] = coerced25;
}
}
}
if(Array.isArray(data32)){
const len7 = data32.length;
for(let i7=0; i7<len7; i7++){
let data33 = data32[i7];
if(typeof data33 !== "string"){
let dataType26 = typeof data33;
let coerced26 = undefined;
if(!(coerced26 !== undefined)){
if(dataType26 == "number" || dataType26 == "boolean"){
coerced26 = "" + data33;
}
else if(data33 === null){
coerced26 = "";
}
else {
const err52 = {instancePath:instancePath+"/rely/" + i7,schemaPath:"#/properties/rely/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.properties.rely.items.type,parentSchema:schema18.properties.rely.items,data:data33};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
if(coerced26 !== undefined){
data33 = coerced26;
if(data32 !== undefined){
data32[i7] = coerced26;
}
}
}
}
}
}
if(data.retry !== undefined){
let data34 = data.retry;
if(data34 && typeof data34 == "object" && !Array.isArray(data34)){
for(let key6 in data34){
if(!((((key6 === "max") || (key6 === "on")) || (key6 === "grow")) || (key6 === "cap"))){
const err53 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema18.properties.retry,data:data34};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data34.max !== undefined){
let data35 = data34.max;
if(!((typeof data35 == "number") && (!(data35 % 1) && !isNaN(data35)))){
let dataType27 = typeof data35;
let coerced27 = undefined;
if(!(coerced27 !== undefined)){
if(dataType27 === "boolean" || data35 === null
              || (dataType27 === "string" && data35 && data35 == +data35 && !(data35 % 1))){
coerced27 = +data35;
}
else {
const err54 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema18.properties.retry.properties.max.type,parentSchema:schema18.properties.retry.properties.max,data:data35};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
if(coerced27 !== undefined){
data35 = coerced27;
if(data34 !== undefined){
data34["max"] = coerced27;
}
}
}
if(typeof data35 == "number"){
if(data35 > 20 || isNaN(data35)){
const err55 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/maximum",keyword:"maximum",params:{comparison: "<=", limit: 20},message:"must be <= 20",schema:20,parentSchema:schema18.properties.retry.properties.max,data:data35};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
if(data35 < 1 || isNaN(data35)){
const err56 = {instancePath:instancePath+"/retry/max",schemaPath:"#/properties/retry/properties/max/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema18.properties.retry.properties.max,data:data35};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
}
if(data34.on !== undefined){
let data36 = data34.on;
if(Array.isArray(data36)){
const len8 = data36.length;
for(let i8=0; i8<len8; i8++){
let data37 = data36[i8];
if(!((((((data37 === "oom") || (data37 === "disk")) || (data37 === "timeout")) || (data37 === "lost")) || (data37 === "undelivered")) || (data37 === "exit"))){
const err57 = {instancePath:instancePath+"/retry/on/" + i8,schemaPath:"#/definitions/reason/enum",keyword:"enum",params:{allowedValues: schema31.enum},message:"must be equal to one of the allowed values",schema:schema31.enum,parentSchema:schema31,data:data37};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
}
else {
const err58 = {instancePath:instancePath+"/retry/on",schemaPath:"#/properties/retry/properties/on/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema18.properties.retry.properties.on.type,parentSchema:schema18.properties.retry.properties.on,data:data36};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
if(data34.grow !== undefined){
let data38 = data34.grow;
if(!(typeof data38 == "number")){
let dataType28 = typeof data38;
let coerced28 = undefined;
if(!(coerced28 !== undefined)){
if(dataType28 == "boolean" || data38 === null
              || (dataType28 == "string" && data38 && data38 == +data38)){
coerced28 = +data38;
}
else {
const err59 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema18.properties.retry.properties.grow.type,parentSchema:schema18.properties.retry.properties.grow,data:data38};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
if(coerced28 !== undefined){
data38 = coerced28;
if(data34 !== undefined){
data34["grow"] = coerced28;
}
}
}
if(typeof data38 == "number"){
if(data38 > 16 || isNaN(data38)){
const err60 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/maximum",keyword:"maximum",params:{comparison: "<=", limit: 16},message:"must be <= 16",schema:16,parentSchema:schema18.properties.retry.properties.grow,data:data38};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if(data38 <= 1 || isNaN(data38)){
const err61 = {instancePath:instancePath+"/retry/grow",schemaPath:"#/properties/retry/properties/grow/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 1},message:"must be > 1",schema:1,parentSchema:schema18.properties.retry.properties.grow,data:data38};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
}
if(data34.cap !== undefined){
let data39 = data34.cap;
if(data39 && typeof data39 == "object" && !Array.isArray(data39)){
for(let key7 in data39){
if(!(((key7 === "mem") || (key7 === "disk")) || (key7 === "time"))){
const err62 = {instancePath:instancePath+"/retry/cap",schemaPath:"#/properties/retry/properties/cap/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema18.properties.retry.properties.cap,data:data39};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
if(data39.mem !== undefined){
let data40 = data39.mem;
if((!(typeof data40 == "number")) && (typeof data40 !== "string")){
let dataType29 = typeof data40;
let coerced29 = undefined;
if(!(coerced29 !== undefined)){
if(dataType29 == "boolean" || data40 === null
              || (dataType29 == "string" && data40 && data40 == +data40)){
coerced29 = +data40;
}
else if(dataType29 == "number" || dataType29 == "boolean"){
coerced29 = "" + data40;
}
else if(data40 === null){
coerced29 = "";
}
else {
const err63 = {instancePath:instancePath+"/retry/cap/mem",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema21.type},message:"must be number,string",schema:schema21.type,parentSchema:schema21,data:data40};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
}
if(coerced29 !== undefined){
data40 = coerced29;
if(data39 !== undefined){
data39["mem"] = coerced29;
}
}
}
}
if(data39.disk !== undefined){
let data41 = data39.disk;
if((!(typeof data41 == "number")) && (typeof data41 !== "string")){
let dataType30 = typeof data41;
let coerced30 = undefined;
if(!(coerced30 !== undefined)){
if(dataType30 == "boolean" || data41 === null
              || (dataType30 == "string" && data41 && data41 == +data41)){
coerced30 = +data41;
}
else if(dataType30 == "number" || dataType30 == "boolean"){
coerced30 = "" + data41;
}
else if(data41 === null){
coerced30 = "";
}
else {
const err64 = {instancePath:instancePath+"/retry/cap/disk",schemaPath:"#/definitions/bytes/type",keyword:"type",params:{type: schema21.type},message:"must be number,string",schema:schema21.type,parentSchema:schema21,data:data41};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
if(coerced30 !== undefined){
data41 = coerced30;
if(data39 !== undefined){
data39["disk"] = coerced30;
}
}
}
}
if(data39.time !== undefined){
let data42 = data39.time;
if((!(typeof data42 == "number")) && (typeof data42 !== "string")){
let dataType31 = typeof data42;
let coerced31 = undefined;
if(!(coerced31 !== undefined)){
if(dataType31 == "boolean" || data42 === null
              || (dataType31 == "string" && data42 && data42 == +data42)){
coerced31 = +data42;
}
else if(dataType31 == "number" || dataType31 == "boolean"){
coerced31 = "" + data42;
}
else if(data42 === null){
coerced31 = "";
}
else {
const err65 = {instancePath:instancePath+"/retry/cap/time",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: schema23.type},message:"must be number,string",schema:schema23.type,parentSchema:schema23,data:data42};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
if(coerced31 !== undefined){
data42 = coerced31;
if(data39 !== undefined){
data39["time"] = coerced31;
}
}
}
}
}
else {
const err66 = {instancePath:instancePath+"/retry/cap",schemaPath:"#/properties/retry/properties/cap/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema18.properties.retry.properties.cap.type,parentSchema:schema18.properties.retry.properties.cap,data:data39};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
}
else {
const err67 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema18.properties.retry.type,parentSchema:schema18.properties.retry,data:data34};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
}
else {
const err68 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema18.type,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
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
if(!((((((((key3 === "type") || (key3 === "required")) || (key3 === "description")) || (key3 === "columns")) || (key3 === "key")) || (key3 === "of")) || (key3 === "default")) || (key3 === "format"))){
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
if(!(((data4 === "file") || (data4 === "samples")) || (data4 === "list"))){
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
if(data3.columns !== undefined){
let data7 = data3.columns;
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(let key4 in data7){
const _errs23 = errors;
if(typeof key4 !== "string"){
let dataType5 = typeof key4;
let coerced5 = undefined;
if(!(coerced5 !== undefined)){
if(dataType5 == "number" || dataType5 == "boolean"){
coerced5 = "" + key4;
}
else if(key4 === null){
coerced5 = "";
}
else {
const err13 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns",schemaPath:"#/definitions/optionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:key4,propertyName:key4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(coerced5 !== undefined){
key4 = coerced5;
if(data7 !== undefined){
data7["columns"] = coerced5;
}
}
}
if(typeof key4 === "string"){
if(!pattern2.test(key4)){
const err14 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns",schemaPath:"#/definitions/optionName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]{0,62}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]{0,62}$",parentSchema:schema14,data:key4,propertyName:key4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
var valid6 = _errs23 === errors;
if(!valid6){
const err15 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns",schemaPath:"#/properties/inputs/additionalProperties/properties/columns/propertyNames",keyword:"propertyNames",params:{propertyName: key4},message:"property name must be valid",schema:schema11.properties.inputs.additionalProperties.properties.columns.propertyNames,parentSchema:schema11.properties.inputs.additionalProperties.properties.columns,data:data7};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
for(let key5 in data7){
let data8 = data7[key5];
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
for(let key6 in data8){
if(!(((key6 === "type") || (key6 === "required")) || (key6 === "format"))){
const err16 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/column/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema15,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data8.type !== undefined){
let data9 = data8.type;
if(!(((((data9 === "string") || (data9 === "int")) || (data9 === "float")) || (data9 === "bool")) || (data9 === "file"))){
const err17 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/type",schemaPath:"#/definitions/column/properties/type/enum",keyword:"enum",params:{allowedValues: schema15.properties.type.enum},message:"must be equal to one of the allowed values",schema:schema15.properties.type.enum,parentSchema:schema15.properties.type,data:data9};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data8.required !== undefined){
let data10 = data8.required;
if(typeof data10 !== "boolean"){
let coerced6 = undefined;
if(!(coerced6 !== undefined)){
if(data10 === "false" || data10 === 0 || data10 === null){
coerced6 = false;
}
else if(data10 === "true" || data10 === 1){
coerced6 = true;
}
else {
const err18 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/required",schemaPath:"#/definitions/column/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema15.properties.required.type,parentSchema:schema15.properties.required,data:data10};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(coerced6 !== undefined){
data10 = coerced6;
if(data8 !== undefined){
data8["required"] = coerced6;
}
}
}
}
if(data8.format !== undefined){
let data11 = data8.format;
if(!(((((data11 === "fastq") || (data11 === "fasta")) || (data11 === "gzip")) || (data11 === "bam")) || (data11 === "text"))){
const err19 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/format",schemaPath:"#/definitions/column/properties/format/enum",keyword:"enum",params:{allowedValues: schema15.properties.format.enum},message:"must be equal to one of the allowed values",schema:schema15.properties.format.enum,parentSchema:schema15.properties.format,data:data11};
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
const err20 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/column/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema15.type,parentSchema:schema15,data:data8};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
else {
const err21 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/columns",schemaPath:"#/properties/inputs/additionalProperties/properties/columns/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.inputs.additionalProperties.properties.columns.type,parentSchema:schema11.properties.inputs.additionalProperties.properties.columns,data:data7};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data3.key !== undefined){
let data12 = data3.key;
if(typeof data12 !== "string"){
let dataType7 = typeof data12;
let coerced7 = undefined;
if(!(coerced7 !== undefined)){
if(dataType7 == "number" || dataType7 == "boolean"){
coerced7 = "" + data12;
}
else if(data12 === null){
coerced7 = "";
}
else {
const err22 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/key",schemaPath:"#/definitions/optionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:data12};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(coerced7 !== undefined){
data12 = coerced7;
if(data3 !== undefined){
data3["key"] = coerced7;
}
}
}
if(typeof data12 === "string"){
if(!pattern2.test(data12)){
const err23 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/key",schemaPath:"#/definitions/optionName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]{0,62}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]{0,62}$",parentSchema:schema14,data:data12};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
}
if(data3.of !== undefined){
let data13 = data3.of;
if(!((data13 === "string") || (data13 === "file"))){
const err24 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/of",schemaPath:"#/properties/inputs/additionalProperties/properties/of/enum",keyword:"enum",params:{allowedValues: schema11.properties.inputs.additionalProperties.properties.of.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.inputs.additionalProperties.properties.of.enum,parentSchema:schema11.properties.inputs.additionalProperties.properties.of,data:data13};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data3.default !== undefined){
let data14 = data3.default;
if(Array.isArray(data14)){
const len0 = data14.length;
for(let i0=0; i0<len0; i0++){
let data15 = data14[i0];
if(typeof data15 !== "string"){
let dataType8 = typeof data15;
let coerced8 = undefined;
if(!(coerced8 !== undefined)){
if(dataType8 == "number" || dataType8 == "boolean"){
coerced8 = "" + data15;
}
else if(data15 === null){
coerced8 = "";
}
else {
const err25 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/default/" + i0,schemaPath:"#/properties/inputs/additionalProperties/properties/default/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.inputs.additionalProperties.properties.default.items.type,parentSchema:schema11.properties.inputs.additionalProperties.properties.default.items,data:data15};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(coerced8 !== undefined){
data15 = coerced8;
if(data14 !== undefined){
data14[i0] = coerced8;
}
}
}
}
}
else {
const err26 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/default",schemaPath:"#/properties/inputs/additionalProperties/properties/default/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.inputs.additionalProperties.properties.default.type,parentSchema:schema11.properties.inputs.additionalProperties.properties.default,data:data14};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data3.format !== undefined){
let data16 = data3.format;
if(!(((((data16 === "fastq") || (data16 === "fasta")) || (data16 === "gzip")) || (data16 === "bam")) || (data16 === "text"))){
const err27 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/format",schemaPath:"#/properties/inputs/additionalProperties/properties/format/enum",keyword:"enum",params:{allowedValues: schema11.properties.inputs.additionalProperties.properties.format.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.inputs.additionalProperties.properties.format.enum,parentSchema:schema11.properties.inputs.additionalProperties.properties.format,data:data16};
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
else {
const err28 = {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/inputs/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.inputs.additionalProperties.type,parentSchema:schema11.properties.inputs.additionalProperties,data:data3};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
else {
const err29 = {instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.inputs.type,parentSchema:schema11.properties.inputs,data:data2};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.envvars !== undefined){
let data17 = data.envvars;
if(Array.isArray(data17)){
const len1 = data17.length;
for(let i1=0; i1<len1; i1++){
let data18 = data17[i1];
if(typeof data18 !== "string"){
let dataType9 = typeof data18;
let coerced9 = undefined;
if(!(coerced9 !== undefined)){
if(dataType9 == "number" || dataType9 == "boolean"){
coerced9 = "" + data18;
}
else if(data18 === null){
coerced9 = "";
}
else {
const err30 = {instancePath:instancePath+"/envvars/" + i1,schemaPath:"#/definitions/envvars/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.items.type,parentSchema:schema17.items,data:data18};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(coerced9 !== undefined){
data18 = coerced9;
if(data17 !== undefined){
data17[i1] = coerced9;
}
}
}
if(typeof data18 === "string"){
if(!pattern4.test(data18)){
const err31 = {instancePath:instancePath+"/envvars/" + i1,schemaPath:"#/definitions/envvars/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema17.items,data:data18};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
}
else {
const err32 = {instancePath:instancePath+"/envvars",schemaPath:"#/definitions/envvars/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema17.type,parentSchema:schema17,data:data17};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.tools !== undefined){
let data19 = data.tools;
if(Array.isArray(data19)){
if(data19.length < 1){
const err33 = {instancePath:instancePath+"/tools",schemaPath:"#/properties/tools/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.tools,data:data19};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
const len2 = data19.length;
for(let i2=0; i2<len2; i2++){
if(!(validate11(data19[i2], {instancePath:instancePath+"/tools/" + i2,parentData:data19,parentDataProperty:i2,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err34 = {instancePath:instancePath+"/tools",schemaPath:"#/properties/tools/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.tools.type,parentSchema:schema11.properties.tools,data:data19};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
}
else {
const err35 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}
