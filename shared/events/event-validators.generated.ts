/* eslint-disable */
// @ts-nocheck
// Generated from schema/events/event-data.schema.json by scripts/generate-event-validators.mjs (npm run schemas): do not edit.
// ajv 8.20.0, options {"allErrors":false,"strict":true,"allowUnionTypes":true}.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const v0 = validate11;
const schema12 = {"type":"object","properties":{"taskId":{"type":"string"},"error":{"type":"string"}},"required":["taskId","error"]};

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.taskId === undefined) && (missing0 = "taskId")) || ((data.error === undefined) && (missing0 = "error"))){
validate11.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
const _errs1 = errors;
if(typeof data.taskId !== "string"){
validate11.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.error !== undefined){
const _errs3 = errors;
if(typeof data.error !== "string"){
validate11.errors = [{instancePath:instancePath+"/error",schemaPath:"#/properties/error/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate11.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate11.errors = vErrors;
return errors === 0;
}

export const v1 = validate12;
const schema13 = {"type":"object","properties":{"taskId":{"type":"string"},"error":{"type":"string"}},"required":["taskId","error"]};

function validate12(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.taskId === undefined) && (missing0 = "taskId")) || ((data.error === undefined) && (missing0 = "error"))){
validate12.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
const _errs1 = errors;
if(typeof data.taskId !== "string"){
validate12.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.error !== undefined){
const _errs3 = errors;
if(typeof data.error !== "string"){
validate12.errors = [{instancePath:instancePath+"/error",schemaPath:"#/properties/error/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate12.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate12.errors = vErrors;
return errors === 0;
}

export const v2 = validate13;
const schema14 = {"type":"object","properties":{"taskId":{"type":"string"}},"required":["taskId"]};

function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.taskId === undefined) && (missing0 = "taskId")){
validate13.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
if(typeof data.taskId !== "string"){
validate13.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate13.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate13.errors = vErrors;
return errors === 0;
}

export const v3 = validate14;
const schema15 = {"type":"object","properties":{"taskId":{"type":"string"}},"required":["taskId"]};

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.taskId === undefined) && (missing0 = "taskId")){
validate14.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
if(typeof data.taskId !== "string"){
validate14.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate14.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate14.errors = vErrors;
return errors === 0;
}

export const v4 = validate15;
const schema16 = {"type":"object","properties":{"taskId":{"type":"string"},"owner":{"type":"string"},"workflowFile":{"type":"string"},"spec":{"$ref":"#/definitions/WorkflowSpec"},"values":{"$ref":"#/definitions/ToolValues"},"inputs":{"type":"object","additionalProperties":{"$ref":"#/definitions/StoredInput"}},"failFast":{"type":"boolean"},"noCache":{"type":"boolean","description":"True: no attempt is reused from the cache (`--no-cache`)."},"workRoot":{"type":"string","description":"Absolute folder of the task's work dirs, recorded on the task (`tasks.work_dir`)."}},"required":["taskId","owner","workflowFile","spec","values","inputs","failFast"]};
const schema17 = {"type":"object","properties":{"name":{"type":"string"},"description":{"type":"string"},"inputs":{"type":"array","items":{"$ref":"#/definitions/InputSpec"}},"tools":{"type":"array","items":{"$ref":"#/definitions/ToolSpec"}}},"required":["name","description","inputs","tools"],"description":"A valid workflow."};
const schema18 = {"type":"object","properties":{"name":{"type":"string"},"required":{"type":"boolean"},"description":{"type":"string"},"type":{"type":"string","enum":["file","samples","list"],"description":"Default `file`."},"columns":{"type":"array","items":{"$ref":"#/definitions/ColumnSpec"},"description":"`samples`: the declared columns, in the order declared."},"key":{"type":"string","description":"`samples`: the column naming each row (instance names `tool[<key>]`); default the first column."},"of":{"type":"string","enum":["string","file"],"description":"`list`: what each item is; default `string`."},"default":{"type":"array","items":{"type":"string"},"description":"`list`: the items when none are given."},"format":{"$ref":"#/definitions/FileFormat","description":"`file`, and `list` of files: what the file (each item's) must be — fastq, fasta (plain or gzip-compressed), gzip, bam or text — checked on its first bytes before the run starts (shared/uploads/format-check.ts `checkFormat`); absent: anything."}},"required":["name","required","description","type"],"description":"One named input of a workflow: a file (`--input NAME=PATH`), a **sample sheet** (`samples`: a CSV or TSV file with a header row, whose rows a tool may be scattered over) or a **list** (`list`: values or files given as repeated `--input NAME=VALUE`, or `default`)."};
const schema22 = {"type":"string","enum":["fastq","fasta","gzip","bam","text"],"description":"A declared file format."};
const schema19 = {"type":"object","properties":{"name":{"type":"string"},"type":{"$ref":"#/definitions/ColumnType"},"required":{"type":"boolean","description":"False: an empty cell is allowed (the variable is then empty). Default true."},"format":{"$ref":"#/definitions/FileFormat","description":"`file` columns: what each cell's file must be, checked on its first bytes (shared/uploads/format-check.ts); absent: anything."}},"required":["name","type","required"],"description":"One declared column of a sample sheet."};
const schema20 = {"anyOf":[{"$ref":"#/definitions/OptionType"},{"type":"string","const":"file"}],"description":"Type of a sample-sheet column (issue 10): option types, or `file` (a path, staged for the tool)."};
const schema21 = {"type":"string","enum":["string","int","float","bool"],"description":"Type of a tool option; values are checked against it when a run is submitted."};

function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs0 = errors;
let valid0 = false;
const _errs1 = errors;
if(typeof data !== "string"){
const err0 = {instancePath,schemaPath:"#/definitions/OptionType/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(!((((data === "string") || (data === "int")) || (data === "float")) || (data === "bool"))){
const err1 = {instancePath,schemaPath:"#/definitions/OptionType/enum",keyword:"enum",params:{allowedValues: schema21.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs1 === errors;
valid0 = valid0 || _valid0;
if(!valid0){
const _errs4 = errors;
if(typeof data !== "string"){
const err2 = {instancePath,schemaPath:"#/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if("file" !== data){
const err3 = {instancePath,schemaPath:"#/anyOf/1/const",keyword:"const",params:{allowedValue: "file"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
var _valid0 = _errs4 === errors;
valid0 = valid0 || _valid0;
}
if(!valid0){
const err4 = {instancePath,schemaPath:"#/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs0;
if(vErrors !== null){
if(_errs0){
vErrors.length = _errs0;
}
else {
vErrors = null;
}
}
}
validate19.errors = vErrors;
return errors === 0;
}


function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.name === undefined) && (missing0 = "name")) || ((data.type === undefined) && (missing0 = "type"))) || ((data.required === undefined) && (missing0 = "required"))){
validate18.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.name !== undefined){
const _errs1 = errors;
if(typeof data.name !== "string"){
validate18.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.type !== undefined){
const _errs3 = errors;
if(!(validate19(data.type, {instancePath:instancePath+"/type",parentData:data,parentDataProperty:"type",rootData}))){
vErrors = vErrors === null ? validate19.errors : vErrors.concat(validate19.errors);
errors = vErrors.length;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.required !== undefined){
const _errs4 = errors;
if(typeof data.required !== "boolean"){
validate18.errors = [{instancePath:instancePath+"/required",schemaPath:"#/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.format !== undefined){
let data3 = data.format;
const _errs6 = errors;
if(typeof data3 !== "string"){
validate18.errors = [{instancePath:instancePath+"/format",schemaPath:"#/definitions/FileFormat/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((((data3 === "fastq") || (data3 === "fasta")) || (data3 === "gzip")) || (data3 === "bam")) || (data3 === "text"))){
validate18.errors = [{instancePath:instancePath+"/format",schemaPath:"#/definitions/FileFormat/enum",keyword:"enum",params:{allowedValues: schema22.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate18.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate18.errors = vErrors;
return errors === 0;
}


function validate17(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.name === undefined) && (missing0 = "name")) || ((data.required === undefined) && (missing0 = "required"))) || ((data.description === undefined) && (missing0 = "description"))) || ((data.type === undefined) && (missing0 = "type"))){
validate17.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.name !== undefined){
const _errs1 = errors;
if(typeof data.name !== "string"){
validate17.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.required !== undefined){
const _errs3 = errors;
if(typeof data.required !== "boolean"){
validate17.errors = [{instancePath:instancePath+"/required",schemaPath:"#/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.description !== undefined){
const _errs5 = errors;
if(typeof data.description !== "string"){
validate17.errors = [{instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.type !== undefined){
let data3 = data.type;
const _errs7 = errors;
if(typeof data3 !== "string"){
validate17.errors = [{instancePath:instancePath+"/type",schemaPath:"#/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data3 === "file") || (data3 === "samples")) || (data3 === "list"))){
validate17.errors = [{instancePath:instancePath+"/type",schemaPath:"#/properties/type/enum",keyword:"enum",params:{allowedValues: schema18.properties.type.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.columns !== undefined){
let data4 = data.columns;
const _errs9 = errors;
if(errors === _errs9){
if(Array.isArray(data4)){
var valid1 = true;
const len0 = data4.length;
for(let i0=0; i0<len0; i0++){
const _errs11 = errors;
if(!(validate18(data4[i0], {instancePath:instancePath+"/columns/" + i0,parentData:data4,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);
errors = vErrors.length;
}
var valid1 = _errs11 === errors;
if(!valid1){
break;
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/columns",schemaPath:"#/properties/columns/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.key !== undefined){
const _errs12 = errors;
if(typeof data.key !== "string"){
validate17.errors = [{instancePath:instancePath+"/key",schemaPath:"#/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.of !== undefined){
let data7 = data.of;
const _errs14 = errors;
if(typeof data7 !== "string"){
validate17.errors = [{instancePath:instancePath+"/of",schemaPath:"#/properties/of/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((data7 === "string") || (data7 === "file"))){
validate17.errors = [{instancePath:instancePath+"/of",schemaPath:"#/properties/of/enum",keyword:"enum",params:{allowedValues: schema18.properties.of.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs14 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.default !== undefined){
let data8 = data.default;
const _errs16 = errors;
if(errors === _errs16){
if(Array.isArray(data8)){
var valid2 = true;
const len1 = data8.length;
for(let i1=0; i1<len1; i1++){
const _errs18 = errors;
if(typeof data8[i1] !== "string"){
validate17.errors = [{instancePath:instancePath+"/default/" + i1,schemaPath:"#/properties/default/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs18 === errors;
if(!valid2){
break;
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/default",schemaPath:"#/properties/default/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs16 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.format !== undefined){
let data10 = data.format;
const _errs20 = errors;
if(typeof data10 !== "string"){
validate17.errors = [{instancePath:instancePath+"/format",schemaPath:"#/definitions/FileFormat/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((((data10 === "fastq") || (data10 === "fasta")) || (data10 === "gzip")) || (data10 === "bam")) || (data10 === "text"))){
validate17.errors = [{instancePath:instancePath+"/format",schemaPath:"#/definitions/FileFormat/enum",keyword:"enum",params:{allowedValues: schema22.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs20 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate17.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate17.errors = vErrors;
return errors === 0;
}

const schema24 = {"type":"object","properties":{"name":{"type":"string"},"description":{"type":"string"},"output":{"type":"string","description":"Free text of the design doc's `output` field."},"cpuMillicores":{"type":"integer"},"memBytes":{"type":"integer"},"diskBytes":{"type":["integer","null"],"description":"Ephemeral storage, bytes; null when the tool declares none."},"timeSeconds":{"type":["integer","null"],"description":"Wall-clock limit of one attempt, whole seconds (>= 1), from its start (Nextflow's `time`, Snakemake's `runtime`, Kubernetes' `activeDeadlineSeconds`), from the tool's `time` field (`3600`, `90s`, `30m`, `2h`, `1d`, `1h30m`: see `parseDuration`); null when the tool declares none."},"image":{"type":["string","null"],"description":"Container image for cluster mode; null when not given."},"outputs":{"type":"array","items":{"type":"string"},"description":"Files (relative to the tool's work dir) that must exist when the tool exits 0: every declared output, the named ones included (on a template, named paths may hold `{column}` placeholders; on an instance they are resolved)."},"namedOutputs":{"type":"object","additionalProperties":{"type":"string"},"description":"Named outputs (issue 10): name → path, as declared (`{bam: \"{sample}.bam\"}`); `{}` for the list form."},"scatter":{"type":["string","null"],"description":"The samples or list input this tool runs once per item of; null: once."},"publish":{"anyOf":[{"type":"array","items":{"type":"string"}},{"type":"null"}],"description":"Names of the named outputs published by `--outdir` (`publish: true` is all of them); null: not declared."},"instance":{"$ref":"#/definitions/InstanceOf","description":"On an instance of a scattered tool: where it came from."},"bindings":{"type":"array","items":{"$ref":"#/definitions/Binding"},"description":"On a planned tool: its environment from items and dependencies (absent on templates and on tasks stored before issue 10)."},"inputs":{"type":"array","items":{"type":"string"},"description":"On a planned tool: the workflow-level inputs it gets, by name (every `file` input; a `samples` input only when its commands reference `$TF_INPUT_<input>`; list inputs have no TF_INPUT); absent (templates, older tasks): all."},"requestedCpuMillicores":{"type":"integer","description":"Set when the plan capped the tool's cpu to what the executor has: what it asked for, millicores."},"env":{"type":"object","additionalProperties":{"type":"string"},"description":"Extra environment variables, passed literally."},"passEnv":{"type":"array","items":{"type":"string"},"description":"Names of variables passed through from toolflow's environment when set (the workflow's `envvars`, then the tool's own, without duplicates, as Snakemake's `envvars` directive): `LD_LIBRARY_PATH`, `CONDA_PREFIX`… Each is a shell identifier, never `TF_*`, `TOOLFLOW_*`, `AWS_*` or a name containing SECRET, PASSWORD, TOKEN or CREDENTIAL (refused by the loader), and never a name the tool's `env` sets (that value wins)."},"options":{"type":"array","items":{"$ref":"#/definitions/OptionSpec"}},"cmds":{"type":"array","items":{"type":"string"}},"rely":{"type":"array","items":{"type":"string"},"description":"Names of the tools this one runs after, without duplicates."},"retry":{"$ref":"#/definitions/RetryPolicy"}},"required":["name","description","output","cpuMillicores","memBytes","diskBytes","timeSeconds","image","outputs","namedOutputs","scatter","publish","env","passEnv","options","cmds","rely","retry"],"description":"One tool of a workflow, normalized."};
const schema25 = {"type":"object","properties":{"tool":{"type":"string","description":"The tool's name in the workflow (`align` for `align[A]`)."},"input":{"type":"string","description":"The samples or list input it is scattered over."},"key":{"type":"string","description":"The item's key (`A`)."},"index":{"type":"integer","description":"0-based position of the item."}},"required":["tool","input","key","index"],"description":"Where an instance of a scattered tool came from."};
const schema26 = {"anyOf":[{"type":"object","properties":{"env":{"type":"string"},"value":{"type":"string"}},"required":["env","value"]},{"type":"object","properties":{"env":{"type":"string"},"input":{"type":"string"}},"required":["env","input"]},{"type":"object","properties":{"env":{"type":"string"},"dir":{"type":"string"}},"required":["env","dir"]},{"type":"object","properties":{"env":{"type":"string"},"outputs":{"type":"array","items":{"type":"object","properties":{"tool":{"type":"string"},"path":{"type":"string"}},"required":["tool","path"]}}},"required":["env","outputs"]}],"description":"One variable of an instance's environment, resolved by the planner (shared/spec/expand.ts):\n- `value`: the text itself (TF_ITEM_<column>, TF_OUT_<name>);\n- `input`: the staged path of that stored input (TF_ITEM_<file column>);\n- `dir`: the attempt dir of that tool instance (TF_DEP_<tool>);\n- `outputs`: files of those tool instances, each linked into this attempt's folder at its base   name; the value is those base names joined by single spaces (TF_DEP_<tool>_<output>)."};
const schema27 = {"type":"object","properties":{"name":{"type":"string"},"desc":{"type":"string"},"type":{"$ref":"#/definitions/OptionType"},"required":{"type":"boolean"},"default":{"$ref":"#/definitions/OptionValue"},"enum":{"type":"array","items":{"$ref":"#/definitions/OptionValue"}},"min":{"type":"number"},"max":{"type":"number"}},"required":["name","desc","type","required"],"description":"One option of a tool (design doc: name, desc, type, required; extended with default, enum, min, max)."};
const schema29 = {"type":["string","number","boolean"],"description":"A typed option value."};

function validate24(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.name === undefined) && (missing0 = "name")) || ((data.desc === undefined) && (missing0 = "desc"))) || ((data.type === undefined) && (missing0 = "type"))) || ((data.required === undefined) && (missing0 = "required"))){
validate24.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.name !== undefined){
const _errs1 = errors;
if(typeof data.name !== "string"){
validate24.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.desc !== undefined){
const _errs3 = errors;
if(typeof data.desc !== "string"){
validate24.errors = [{instancePath:instancePath+"/desc",schemaPath:"#/properties/desc/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.type !== undefined){
let data2 = data.type;
const _errs5 = errors;
if(typeof data2 !== "string"){
validate24.errors = [{instancePath:instancePath+"/type",schemaPath:"#/definitions/OptionType/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data2 === "string") || (data2 === "int")) || (data2 === "float")) || (data2 === "bool"))){
validate24.errors = [{instancePath:instancePath+"/type",schemaPath:"#/definitions/OptionType/enum",keyword:"enum",params:{allowedValues: schema21.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.required !== undefined){
const _errs8 = errors;
if(typeof data.required !== "boolean"){
validate24.errors = [{instancePath:instancePath+"/required",schemaPath:"#/properties/required/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.default !== undefined){
let data4 = data.default;
const _errs10 = errors;
if(((typeof data4 !== "string") && (!((typeof data4 == "number") && (isFinite(data4))))) && (typeof data4 !== "boolean")){
validate24.errors = [{instancePath:instancePath+"/default",schemaPath:"#/definitions/OptionValue/type",keyword:"type",params:{type: schema29.type},message:"must be string,number,boolean"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.enum !== undefined){
let data5 = data.enum;
const _errs13 = errors;
if(errors === _errs13){
if(Array.isArray(data5)){
var valid3 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
const _errs15 = errors;
if(((typeof data6 !== "string") && (!((typeof data6 == "number") && (isFinite(data6))))) && (typeof data6 !== "boolean")){
validate24.errors = [{instancePath:instancePath+"/enum/" + i0,schemaPath:"#/definitions/OptionValue/type",keyword:"type",params:{type: schema29.type},message:"must be string,number,boolean"}];
return false;
}
var valid3 = _errs15 === errors;
if(!valid3){
break;
}
}
}
else {
validate24.errors = [{instancePath:instancePath+"/enum",schemaPath:"#/properties/enum/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.min !== undefined){
let data7 = data.min;
const _errs18 = errors;
if(!((typeof data7 == "number") && (isFinite(data7)))){
validate24.errors = [{instancePath:instancePath+"/min",schemaPath:"#/properties/min/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs18 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.max !== undefined){
let data8 = data.max;
const _errs20 = errors;
if(!((typeof data8 == "number") && (isFinite(data8)))){
validate24.errors = [{instancePath:instancePath+"/max",schemaPath:"#/properties/max/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs20 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
else {
validate24.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate24.errors = vErrors;
return errors === 0;
}

const schema31 = {"type":"object","properties":{"maxAttempts":{"type":"integer"},"on":{"type":"array","items":{"$ref":"#/definitions/FailureReason"}},"grow":{"type":"number","description":"Factor (> 1) applied to the resource that ran out."},"capMemBytes":{"type":"integer","description":"Upper bound for memory, bytes."},"capDiskBytes":{"type":"integer","description":"Upper bound for disk, bytes."},"capTimeSeconds":{"type":"integer","description":"Upper bound for the time limit, seconds (reruns after a `timeout` grow it up to this); default 7 days, never below the tool's time."}},"required":["maxAttempts","on","grow","capMemBytes","capDiskBytes","capTimeSeconds"],"description":"Rerun policy of a tool. `maxAttempts` counts every attempt, the first included."};
const schema32 = {"type":"string","enum":["oom","disk","timeout","lost","undelivered","config","exit","cancelled"],"description":"Why a tool attempt failed (docs/architecture.md, \"Failure classification and reruns\")."};

function validate26(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.maxAttempts === undefined) && (missing0 = "maxAttempts")) || ((data.on === undefined) && (missing0 = "on"))) || ((data.grow === undefined) && (missing0 = "grow"))) || ((data.capMemBytes === undefined) && (missing0 = "capMemBytes"))) || ((data.capDiskBytes === undefined) && (missing0 = "capDiskBytes"))) || ((data.capTimeSeconds === undefined) && (missing0 = "capTimeSeconds"))){
validate26.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.maxAttempts !== undefined){
let data0 = data.maxAttempts;
const _errs1 = errors;
if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){
validate26.errors = [{instancePath:instancePath+"/maxAttempts",schemaPath:"#/properties/maxAttempts/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.on !== undefined){
let data1 = data.on;
const _errs3 = errors;
if(errors === _errs3){
if(Array.isArray(data1)){
var valid1 = true;
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
const _errs5 = errors;
if(typeof data2 !== "string"){
validate26.errors = [{instancePath:instancePath+"/on/" + i0,schemaPath:"#/definitions/FailureReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((((((data2 === "oom") || (data2 === "disk")) || (data2 === "timeout")) || (data2 === "lost")) || (data2 === "undelivered")) || (data2 === "config")) || (data2 === "exit")) || (data2 === "cancelled"))){
validate26.errors = [{instancePath:instancePath+"/on/" + i0,schemaPath:"#/definitions/FailureReason/enum",keyword:"enum",params:{allowedValues: schema32.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid1 = _errs5 === errors;
if(!valid1){
break;
}
}
}
else {
validate26.errors = [{instancePath:instancePath+"/on",schemaPath:"#/properties/on/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.grow !== undefined){
let data3 = data.grow;
const _errs8 = errors;
if(!((typeof data3 == "number") && (isFinite(data3)))){
validate26.errors = [{instancePath:instancePath+"/grow",schemaPath:"#/properties/grow/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.capMemBytes !== undefined){
let data4 = data.capMemBytes;
const _errs10 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate26.errors = [{instancePath:instancePath+"/capMemBytes",schemaPath:"#/properties/capMemBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.capDiskBytes !== undefined){
let data5 = data.capDiskBytes;
const _errs12 = errors;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
validate26.errors = [{instancePath:instancePath+"/capDiskBytes",schemaPath:"#/properties/capDiskBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.capTimeSeconds !== undefined){
let data6 = data.capTimeSeconds;
const _errs14 = errors;
if(!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))){
validate26.errors = [{instancePath:instancePath+"/capTimeSeconds",schemaPath:"#/properties/capTimeSeconds/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs14 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate26.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate26.errors = vErrors;
return errors === 0;
}


function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((((((((((((((data.name === undefined) && (missing0 = "name")) || ((data.description === undefined) && (missing0 = "description"))) || ((data.output === undefined) && (missing0 = "output"))) || ((data.cpuMillicores === undefined) && (missing0 = "cpuMillicores"))) || ((data.memBytes === undefined) && (missing0 = "memBytes"))) || ((data.diskBytes === undefined) && (missing0 = "diskBytes"))) || ((data.timeSeconds === undefined) && (missing0 = "timeSeconds"))) || ((data.image === undefined) && (missing0 = "image"))) || ((data.outputs === undefined) && (missing0 = "outputs"))) || ((data.namedOutputs === undefined) && (missing0 = "namedOutputs"))) || ((data.scatter === undefined) && (missing0 = "scatter"))) || ((data.publish === undefined) && (missing0 = "publish"))) || ((data.env === undefined) && (missing0 = "env"))) || ((data.passEnv === undefined) && (missing0 = "passEnv"))) || ((data.options === undefined) && (missing0 = "options"))) || ((data.cmds === undefined) && (missing0 = "cmds"))) || ((data.rely === undefined) && (missing0 = "rely"))) || ((data.retry === undefined) && (missing0 = "retry"))){
validate23.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.name !== undefined){
const _errs1 = errors;
if(typeof data.name !== "string"){
validate23.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.description !== undefined){
const _errs3 = errors;
if(typeof data.description !== "string"){
validate23.errors = [{instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.output !== undefined){
const _errs5 = errors;
if(typeof data.output !== "string"){
validate23.errors = [{instancePath:instancePath+"/output",schemaPath:"#/properties/output/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cpuMillicores !== undefined){
let data3 = data.cpuMillicores;
const _errs7 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate23.errors = [{instancePath:instancePath+"/cpuMillicores",schemaPath:"#/properties/cpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memBytes !== undefined){
let data4 = data.memBytes;
const _errs9 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate23.errors = [{instancePath:instancePath+"/memBytes",schemaPath:"#/properties/memBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.diskBytes !== undefined){
let data5 = data.diskBytes;
const _errs11 = errors;
if((!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))) && (data5 !== null)){
validate23.errors = [{instancePath:instancePath+"/diskBytes",schemaPath:"#/properties/diskBytes/type",keyword:"type",params:{type: schema24.properties.diskBytes.type},message:"must be integer,null"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.timeSeconds !== undefined){
let data6 = data.timeSeconds;
const _errs13 = errors;
if((!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))) && (data6 !== null)){
validate23.errors = [{instancePath:instancePath+"/timeSeconds",schemaPath:"#/properties/timeSeconds/type",keyword:"type",params:{type: schema24.properties.timeSeconds.type},message:"must be integer,null"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.image !== undefined){
let data7 = data.image;
const _errs15 = errors;
if((typeof data7 !== "string") && (data7 !== null)){
validate23.errors = [{instancePath:instancePath+"/image",schemaPath:"#/properties/image/type",keyword:"type",params:{type: schema24.properties.image.type},message:"must be string,null"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.outputs !== undefined){
let data8 = data.outputs;
const _errs17 = errors;
if(errors === _errs17){
if(Array.isArray(data8)){
var valid1 = true;
const len0 = data8.length;
for(let i0=0; i0<len0; i0++){
const _errs19 = errors;
if(typeof data8[i0] !== "string"){
validate23.errors = [{instancePath:instancePath+"/outputs/" + i0,schemaPath:"#/properties/outputs/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs19 === errors;
if(!valid1){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/outputs",schemaPath:"#/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.namedOutputs !== undefined){
let data10 = data.namedOutputs;
const _errs21 = errors;
if(errors === _errs21){
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
for(let key0 in data10){
const _errs24 = errors;
if(typeof data10[key0] !== "string"){
validate23.errors = [{instancePath:instancePath+"/namedOutputs/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/namedOutputs/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs24 === errors;
if(!valid2){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/namedOutputs",schemaPath:"#/properties/namedOutputs/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.scatter !== undefined){
let data12 = data.scatter;
const _errs26 = errors;
if((typeof data12 !== "string") && (data12 !== null)){
validate23.errors = [{instancePath:instancePath+"/scatter",schemaPath:"#/properties/scatter/type",keyword:"type",params:{type: schema24.properties.scatter.type},message:"must be string,null"}];
return false;
}
var valid0 = _errs26 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.publish !== undefined){
let data13 = data.publish;
const _errs28 = errors;
const _errs29 = errors;
let valid3 = false;
const _errs30 = errors;
if(errors === _errs30){
if(Array.isArray(data13)){
var valid4 = true;
const len1 = data13.length;
for(let i1=0; i1<len1; i1++){
const _errs32 = errors;
if(typeof data13[i1] !== "string"){
const err0 = {instancePath:instancePath+"/publish/" + i1,schemaPath:"#/properties/publish/anyOf/0/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var valid4 = _errs32 === errors;
if(!valid4){
break;
}
}
}
else {
const err1 = {instancePath:instancePath+"/publish",schemaPath:"#/properties/publish/anyOf/0/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs30 === errors;
valid3 = valid3 || _valid0;
if(!valid3){
const _errs34 = errors;
if(data13 !== null){
const err2 = {instancePath:instancePath+"/publish",schemaPath:"#/properties/publish/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
var _valid0 = _errs34 === errors;
valid3 = valid3 || _valid0;
}
if(!valid3){
const err3 = {instancePath:instancePath+"/publish",schemaPath:"#/properties/publish/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
validate23.errors = vErrors;
return false;
}
else {
errors = _errs29;
if(vErrors !== null){
if(_errs29){
vErrors.length = _errs29;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs28 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.instance !== undefined){
let data15 = data.instance;
const _errs36 = errors;
const _errs37 = errors;
if(errors === _errs37){
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
let missing1;
if(((((data15.tool === undefined) && (missing1 = "tool")) || ((data15.input === undefined) && (missing1 = "input"))) || ((data15.key === undefined) && (missing1 = "key"))) || ((data15.index === undefined) && (missing1 = "index"))){
validate23.errors = [{instancePath:instancePath+"/instance",schemaPath:"#/definitions/InstanceOf/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data15.tool !== undefined){
const _errs39 = errors;
if(typeof data15.tool !== "string"){
validate23.errors = [{instancePath:instancePath+"/instance/tool",schemaPath:"#/definitions/InstanceOf/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid6 = _errs39 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data15.input !== undefined){
const _errs41 = errors;
if(typeof data15.input !== "string"){
validate23.errors = [{instancePath:instancePath+"/instance/input",schemaPath:"#/definitions/InstanceOf/properties/input/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid6 = _errs41 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data15.key !== undefined){
const _errs43 = errors;
if(typeof data15.key !== "string"){
validate23.errors = [{instancePath:instancePath+"/instance/key",schemaPath:"#/definitions/InstanceOf/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid6 = _errs43 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data15.index !== undefined){
let data19 = data15.index;
const _errs45 = errors;
if(!(((typeof data19 == "number") && (!(data19 % 1) && !isNaN(data19))) && (isFinite(data19)))){
validate23.errors = [{instancePath:instancePath+"/instance/index",schemaPath:"#/definitions/InstanceOf/properties/index/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid6 = _errs45 === errors;
}
else {
var valid6 = true;
}
}
}
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/instance",schemaPath:"#/definitions/InstanceOf/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs36 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.bindings !== undefined){
let data20 = data.bindings;
const _errs47 = errors;
if(errors === _errs47){
if(Array.isArray(data20)){
var valid7 = true;
const len2 = data20.length;
for(let i2=0; i2<len2; i2++){
let data21 = data20[i2];
const _errs49 = errors;
const _errs51 = errors;
let valid9 = false;
const _errs52 = errors;
if(errors === _errs52){
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
let missing2;
if(((data21.env === undefined) && (missing2 = "env")) || ((data21.value === undefined) && (missing2 = "value"))){
const err4 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/0/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
else {
if(data21.env !== undefined){
const _errs54 = errors;
if(typeof data21.env !== "string"){
const err5 = {instancePath:instancePath+"/bindings/" + i2+"/env",schemaPath:"#/definitions/Binding/anyOf/0/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
var valid10 = _errs54 === errors;
}
else {
var valid10 = true;
}
if(valid10){
if(data21.value !== undefined){
const _errs56 = errors;
if(typeof data21.value !== "string"){
const err6 = {instancePath:instancePath+"/bindings/" + i2+"/value",schemaPath:"#/definitions/Binding/anyOf/0/properties/value/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
var valid10 = _errs56 === errors;
}
else {
var valid10 = true;
}
}
}
}
else {
const err7 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
var _valid1 = _errs52 === errors;
valid9 = valid9 || _valid1;
if(!valid9){
const _errs58 = errors;
if(errors === _errs58){
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
let missing3;
if(((data21.env === undefined) && (missing3 = "env")) || ((data21.input === undefined) && (missing3 = "input"))){
const err8 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/1/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
else {
if(data21.env !== undefined){
const _errs60 = errors;
if(typeof data21.env !== "string"){
const err9 = {instancePath:instancePath+"/bindings/" + i2+"/env",schemaPath:"#/definitions/Binding/anyOf/1/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
var valid11 = _errs60 === errors;
}
else {
var valid11 = true;
}
if(valid11){
if(data21.input !== undefined){
const _errs62 = errors;
if(typeof data21.input !== "string"){
const err10 = {instancePath:instancePath+"/bindings/" + i2+"/input",schemaPath:"#/definitions/Binding/anyOf/1/properties/input/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
var valid11 = _errs62 === errors;
}
else {
var valid11 = true;
}
}
}
}
else {
const err11 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/1/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
var _valid1 = _errs58 === errors;
valid9 = valid9 || _valid1;
if(!valid9){
const _errs64 = errors;
if(errors === _errs64){
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
let missing4;
if(((data21.env === undefined) && (missing4 = "env")) || ((data21.dir === undefined) && (missing4 = "dir"))){
const err12 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/2/required",keyword:"required",params:{missingProperty: missing4},message:"must have required property '"+missing4+"'"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
else {
if(data21.env !== undefined){
const _errs66 = errors;
if(typeof data21.env !== "string"){
const err13 = {instancePath:instancePath+"/bindings/" + i2+"/env",schemaPath:"#/definitions/Binding/anyOf/2/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
var valid12 = _errs66 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data21.dir !== undefined){
const _errs68 = errors;
if(typeof data21.dir !== "string"){
const err14 = {instancePath:instancePath+"/bindings/" + i2+"/dir",schemaPath:"#/definitions/Binding/anyOf/2/properties/dir/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
var valid12 = _errs68 === errors;
}
else {
var valid12 = true;
}
}
}
}
else {
const err15 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/2/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
var _valid1 = _errs64 === errors;
valid9 = valid9 || _valid1;
if(!valid9){
const _errs70 = errors;
if(errors === _errs70){
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
let missing5;
if(((data21.env === undefined) && (missing5 = "env")) || ((data21.outputs === undefined) && (missing5 = "outputs"))){
const err16 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/3/required",keyword:"required",params:{missingProperty: missing5},message:"must have required property '"+missing5+"'"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
else {
if(data21.env !== undefined){
const _errs72 = errors;
if(typeof data21.env !== "string"){
const err17 = {instancePath:instancePath+"/bindings/" + i2+"/env",schemaPath:"#/definitions/Binding/anyOf/3/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
var valid13 = _errs72 === errors;
}
else {
var valid13 = true;
}
if(valid13){
if(data21.outputs !== undefined){
let data29 = data21.outputs;
const _errs74 = errors;
if(errors === _errs74){
if(Array.isArray(data29)){
var valid14 = true;
const len3 = data29.length;
for(let i3=0; i3<len3; i3++){
let data30 = data29[i3];
const _errs76 = errors;
if(errors === _errs76){
if(data30 && typeof data30 == "object" && !Array.isArray(data30)){
let missing6;
if(((data30.tool === undefined) && (missing6 = "tool")) || ((data30.path === undefined) && (missing6 = "path"))){
const err18 = {instancePath:instancePath+"/bindings/" + i2+"/outputs/" + i3,schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/required",keyword:"required",params:{missingProperty: missing6},message:"must have required property '"+missing6+"'"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
else {
if(data30.tool !== undefined){
const _errs78 = errors;
if(typeof data30.tool !== "string"){
const err19 = {instancePath:instancePath+"/bindings/" + i2+"/outputs/" + i3+"/tool",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
var valid15 = _errs78 === errors;
}
else {
var valid15 = true;
}
if(valid15){
if(data30.path !== undefined){
const _errs80 = errors;
if(typeof data30.path !== "string"){
const err20 = {instancePath:instancePath+"/bindings/" + i2+"/outputs/" + i3+"/path",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
var valid15 = _errs80 === errors;
}
else {
var valid15 = true;
}
}
}
}
else {
const err21 = {instancePath:instancePath+"/bindings/" + i2+"/outputs/" + i3,schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
var valid14 = _errs76 === errors;
if(!valid14){
break;
}
}
}
else {
const err22 = {instancePath:instancePath+"/bindings/" + i2+"/outputs",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
var valid13 = _errs74 === errors;
}
else {
var valid13 = true;
}
}
}
}
else {
const err23 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf/3/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
var _valid1 = _errs70 === errors;
valid9 = valid9 || _valid1;
}
}
}
if(!valid9){
const err24 = {instancePath:instancePath+"/bindings/" + i2,schemaPath:"#/definitions/Binding/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
validate23.errors = vErrors;
return false;
}
else {
errors = _errs51;
if(vErrors !== null){
if(_errs51){
vErrors.length = _errs51;
}
else {
vErrors = null;
}
}
}
var valid7 = _errs49 === errors;
if(!valid7){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/bindings",schemaPath:"#/properties/bindings/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs47 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.inputs !== undefined){
let data33 = data.inputs;
const _errs82 = errors;
if(errors === _errs82){
if(Array.isArray(data33)){
var valid16 = true;
const len4 = data33.length;
for(let i4=0; i4<len4; i4++){
const _errs84 = errors;
if(typeof data33[i4] !== "string"){
validate23.errors = [{instancePath:instancePath+"/inputs/" + i4,schemaPath:"#/properties/inputs/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid16 = _errs84 === errors;
if(!valid16){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs82 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.requestedCpuMillicores !== undefined){
let data35 = data.requestedCpuMillicores;
const _errs86 = errors;
if(!(((typeof data35 == "number") && (!(data35 % 1) && !isNaN(data35))) && (isFinite(data35)))){
validate23.errors = [{instancePath:instancePath+"/requestedCpuMillicores",schemaPath:"#/properties/requestedCpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs86 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.env !== undefined){
let data36 = data.env;
const _errs88 = errors;
if(errors === _errs88){
if(data36 && typeof data36 == "object" && !Array.isArray(data36)){
for(let key1 in data36){
const _errs91 = errors;
if(typeof data36[key1] !== "string"){
validate23.errors = [{instancePath:instancePath+"/env/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/env/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid17 = _errs91 === errors;
if(!valid17){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs88 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.passEnv !== undefined){
let data38 = data.passEnv;
const _errs93 = errors;
if(errors === _errs93){
if(Array.isArray(data38)){
var valid18 = true;
const len5 = data38.length;
for(let i5=0; i5<len5; i5++){
const _errs95 = errors;
if(typeof data38[i5] !== "string"){
validate23.errors = [{instancePath:instancePath+"/passEnv/" + i5,schemaPath:"#/properties/passEnv/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid18 = _errs95 === errors;
if(!valid18){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/passEnv",schemaPath:"#/properties/passEnv/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs93 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.options !== undefined){
let data40 = data.options;
const _errs97 = errors;
if(errors === _errs97){
if(Array.isArray(data40)){
var valid19 = true;
const len6 = data40.length;
for(let i6=0; i6<len6; i6++){
const _errs99 = errors;
if(!(validate24(data40[i6], {instancePath:instancePath+"/options/" + i6,parentData:data40,parentDataProperty:i6,rootData}))){
vErrors = vErrors === null ? validate24.errors : vErrors.concat(validate24.errors);
errors = vErrors.length;
}
var valid19 = _errs99 === errors;
if(!valid19){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/options",schemaPath:"#/properties/options/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs97 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cmds !== undefined){
let data42 = data.cmds;
const _errs100 = errors;
if(errors === _errs100){
if(Array.isArray(data42)){
var valid20 = true;
const len7 = data42.length;
for(let i7=0; i7<len7; i7++){
const _errs102 = errors;
if(typeof data42[i7] !== "string"){
validate23.errors = [{instancePath:instancePath+"/cmds/" + i7,schemaPath:"#/properties/cmds/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid20 = _errs102 === errors;
if(!valid20){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/cmds",schemaPath:"#/properties/cmds/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs100 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.rely !== undefined){
let data44 = data.rely;
const _errs104 = errors;
if(errors === _errs104){
if(Array.isArray(data44)){
var valid21 = true;
const len8 = data44.length;
for(let i8=0; i8<len8; i8++){
const _errs106 = errors;
if(typeof data44[i8] !== "string"){
validate23.errors = [{instancePath:instancePath+"/rely/" + i8,schemaPath:"#/properties/rely/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid21 = _errs106 === errors;
if(!valid21){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/rely",schemaPath:"#/properties/rely/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs104 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retry !== undefined){
const _errs108 = errors;
if(!(validate26(data.retry, {instancePath:instancePath+"/retry",parentData:data,parentDataProperty:"retry",rootData}))){
vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
errors = vErrors.length;
}
var valid0 = _errs108 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate23.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate23.errors = vErrors;
return errors === 0;
}


function validate16(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.name === undefined) && (missing0 = "name")) || ((data.description === undefined) && (missing0 = "description"))) || ((data.inputs === undefined) && (missing0 = "inputs"))) || ((data.tools === undefined) && (missing0 = "tools"))){
validate16.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.name !== undefined){
const _errs1 = errors;
if(typeof data.name !== "string"){
validate16.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.description !== undefined){
const _errs3 = errors;
if(typeof data.description !== "string"){
validate16.errors = [{instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.inputs !== undefined){
let data2 = data.inputs;
const _errs5 = errors;
if(errors === _errs5){
if(Array.isArray(data2)){
var valid1 = true;
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
const _errs7 = errors;
if(!(validate17(data2[i0], {instancePath:instancePath+"/inputs/" + i0,parentData:data2,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate17.errors : vErrors.concat(validate17.errors);
errors = vErrors.length;
}
var valid1 = _errs7 === errors;
if(!valid1){
break;
}
}
}
else {
validate16.errors = [{instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tools !== undefined){
let data4 = data.tools;
const _errs8 = errors;
if(errors === _errs8){
if(Array.isArray(data4)){
var valid2 = true;
const len1 = data4.length;
for(let i1=0; i1<len1; i1++){
const _errs10 = errors;
if(!(validate23(data4[i1], {instancePath:instancePath+"/tools/" + i1,parentData:data4,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
var valid2 = _errs10 === errors;
if(!valid2){
break;
}
}
}
else {
validate16.errors = [{instancePath:instancePath+"/tools",schemaPath:"#/properties/tools/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate16.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate16.errors = vErrors;
return errors === 0;
}

const schema33 = {"type":"object","additionalProperties":{"type":"object","additionalProperties":{"$ref":"#/definitions/OptionValue"}},"description":"Option values by tool, then option name."};

function validate30(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
for(let key0 in data){
let data0 = data[key0];
const _errs2 = errors;
if(errors === _errs2){
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
for(let key1 in data0){
let data1 = data0[key1];
const _errs5 = errors;
if(((typeof data1 !== "string") && (!((typeof data1 == "number") && (isFinite(data1))))) && (typeof data1 !== "boolean")){
validate30.errors = [{instancePath:instancePath+"/" + key0.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/OptionValue/type",keyword:"type",params:{type: schema29.type},message:"must be string,number,boolean"}];
return false;
}
var valid1 = _errs5 === errors;
if(!valid1){
break;
}
}
}
else {
validate30.errors = [{instancePath:instancePath+"/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs2 === errors;
if(!valid0){
break;
}
}
}
else {
validate30.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate30.errors = vErrors;
return errors === 0;
}

const schema35 = {"type":"object","properties":{"key":{"type":"string"},"fileName":{"type":"string"},"sha256":{"type":"string","description":"SHA-256 of the bytes, lowercase hex, when known (the cache key uses it)."},"bytes":{"type":"integer","description":"Size in bytes, when known."},"local":{"$ref":"#/definitions/LocalInput","description":"Set for an input of an embedded-mode run, held in place rather than copied (`runtime/embedded-upload.ts`)."}},"required":["key","fileName"],"description":"An input file already stored as an object."};
const schema36 = {"type":"object","properties":{"path":{"type":"string","description":"The user's file, absolute, as given (`--input NAME=PATH`)."},"how":{"type":"string","enum":["link","reflink","reference","copy"],"description":"`link`: a hard link to the user's file (same inode; no byte copied); `reflink`: a copy-on-write clone (its own inode, read-only); `reference`: a symbolic link to it (another filesystem); `copy`: a copy (the input was a pipe or another file that is not a regular one)."},"ino":{"type":"string","description":"Inode number of the object's file (symbolic links followed) when it was checksummed, decimal (64 bits)."},"size":{"type":"integer","description":"Its size, bytes."},"mtimeNs":{"type":"string","description":"Its modification time, ns since the epoch, decimal (64 bits)."}},"required":["path","how","ino","size","mtimeNs"],"description":"How an embedded-mode input is held: the object at `key` is the user's file itself (a hard link or a symbolic link to it) or a clone of it, never a copy read through. Recorded when the run was submitted; the local executor compares the object with it before a tool reads it (a file changed or deleted since fails the attempt, naming the input) and after (inputs are read-only to tools)."};

function validate32(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.key === undefined) && (missing0 = "key")) || ((data.fileName === undefined) && (missing0 = "fileName"))){
validate32.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.key !== undefined){
const _errs1 = errors;
if(typeof data.key !== "string"){
validate32.errors = [{instancePath:instancePath+"/key",schemaPath:"#/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.fileName !== undefined){
const _errs3 = errors;
if(typeof data.fileName !== "string"){
validate32.errors = [{instancePath:instancePath+"/fileName",schemaPath:"#/properties/fileName/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.sha256 !== undefined){
const _errs5 = errors;
if(typeof data.sha256 !== "string"){
validate32.errors = [{instancePath:instancePath+"/sha256",schemaPath:"#/properties/sha256/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.bytes !== undefined){
let data3 = data.bytes;
const _errs7 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate32.errors = [{instancePath:instancePath+"/bytes",schemaPath:"#/properties/bytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.local !== undefined){
let data4 = data.local;
const _errs9 = errors;
const _errs10 = errors;
if(errors === _errs10){
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
let missing1;
if((((((data4.path === undefined) && (missing1 = "path")) || ((data4.how === undefined) && (missing1 = "how"))) || ((data4.ino === undefined) && (missing1 = "ino"))) || ((data4.size === undefined) && (missing1 = "size"))) || ((data4.mtimeNs === undefined) && (missing1 = "mtimeNs"))){
validate32.errors = [{instancePath:instancePath+"/local",schemaPath:"#/definitions/LocalInput/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data4.path !== undefined){
const _errs12 = errors;
if(typeof data4.path !== "string"){
validate32.errors = [{instancePath:instancePath+"/local/path",schemaPath:"#/definitions/LocalInput/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs12 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data4.how !== undefined){
let data6 = data4.how;
const _errs14 = errors;
if(typeof data6 !== "string"){
validate32.errors = [{instancePath:instancePath+"/local/how",schemaPath:"#/definitions/LocalInput/properties/how/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data6 === "link") || (data6 === "reflink")) || (data6 === "reference")) || (data6 === "copy"))){
validate32.errors = [{instancePath:instancePath+"/local/how",schemaPath:"#/definitions/LocalInput/properties/how/enum",keyword:"enum",params:{allowedValues: schema36.properties.how.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid2 = _errs14 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data4.ino !== undefined){
const _errs16 = errors;
if(typeof data4.ino !== "string"){
validate32.errors = [{instancePath:instancePath+"/local/ino",schemaPath:"#/definitions/LocalInput/properties/ino/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs16 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data4.size !== undefined){
let data8 = data4.size;
const _errs18 = errors;
if(!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))){
validate32.errors = [{instancePath:instancePath+"/local/size",schemaPath:"#/definitions/LocalInput/properties/size/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid2 = _errs18 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data4.mtimeNs !== undefined){
const _errs20 = errors;
if(typeof data4.mtimeNs !== "string"){
validate32.errors = [{instancePath:instancePath+"/local/mtimeNs",schemaPath:"#/definitions/LocalInput/properties/mtimeNs/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs20 === errors;
}
else {
var valid2 = true;
}
}
}
}
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/local",schemaPath:"#/definitions/LocalInput/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
else {
validate32.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate32.errors = vErrors;
return errors === 0;
}


function validate15(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((data.taskId === undefined) && (missing0 = "taskId")) || ((data.owner === undefined) && (missing0 = "owner"))) || ((data.workflowFile === undefined) && (missing0 = "workflowFile"))) || ((data.spec === undefined) && (missing0 = "spec"))) || ((data.values === undefined) && (missing0 = "values"))) || ((data.inputs === undefined) && (missing0 = "inputs"))) || ((data.failFast === undefined) && (missing0 = "failFast"))){
validate15.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
const _errs1 = errors;
if(typeof data.taskId !== "string"){
validate15.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.owner !== undefined){
const _errs3 = errors;
if(typeof data.owner !== "string"){
validate15.errors = [{instancePath:instancePath+"/owner",schemaPath:"#/properties/owner/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.workflowFile !== undefined){
const _errs5 = errors;
if(typeof data.workflowFile !== "string"){
validate15.errors = [{instancePath:instancePath+"/workflowFile",schemaPath:"#/properties/workflowFile/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.spec !== undefined){
const _errs7 = errors;
if(!(validate16(data.spec, {instancePath:instancePath+"/spec",parentData:data,parentDataProperty:"spec",rootData}))){
vErrors = vErrors === null ? validate16.errors : vErrors.concat(validate16.errors);
errors = vErrors.length;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.values !== undefined){
const _errs8 = errors;
if(!(validate30(data.values, {instancePath:instancePath+"/values",parentData:data,parentDataProperty:"values",rootData}))){
vErrors = vErrors === null ? validate30.errors : vErrors.concat(validate30.errors);
errors = vErrors.length;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.inputs !== undefined){
let data5 = data.inputs;
const _errs9 = errors;
if(errors === _errs9){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
for(let key0 in data5){
const _errs12 = errors;
if(!(validate32(data5[key0], {instancePath:instancePath+"/inputs/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data5,parentDataProperty:key0,rootData}))){
vErrors = vErrors === null ? validate32.errors : vErrors.concat(validate32.errors);
errors = vErrors.length;
}
var valid1 = _errs12 === errors;
if(!valid1){
break;
}
}
}
else {
validate15.errors = [{instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.failFast !== undefined){
const _errs13 = errors;
if(typeof data.failFast !== "boolean"){
validate15.errors = [{instancePath:instancePath+"/failFast",schemaPath:"#/properties/failFast/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.noCache !== undefined){
const _errs15 = errors;
if(typeof data.noCache !== "boolean"){
validate15.errors = [{instancePath:instancePath+"/noCache",schemaPath:"#/properties/noCache/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.workRoot !== undefined){
const _errs17 = errors;
if(typeof data.workRoot !== "string"){
validate15.errors = [{instancePath:instancePath+"/workRoot",schemaPath:"#/properties/workRoot/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate15.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate15.errors = vErrors;
return errors === 0;
}

export const v5 = validate34;
const schema37 = {"type":"object","properties":{"taskId":{"type":"string"}},"required":["taskId"]};

function validate34(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.taskId === undefined) && (missing0 = "taskId")){
validate34.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
if(typeof data.taskId !== "string"){
validate34.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate34.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate34.errors = vErrors;
return errors === 0;
}

export const v6 = validate35;
const schema38 = {"type":"object","properties":{"reason":{"$ref":"#/definitions/FailureReason"},"message":{"type":"string"},"resources":{"$ref":"#/definitions/Resources"},"retry":{"$ref":"#/definitions/RetryPolicy"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["attempt","message","reason","resources","retry","taskId","tool"]};
const schema40 = {"type":"object","properties":{"cpuMillicores":{"type":"integer","description":"Cpu, millicores."},"memBytes":{"type":"integer","description":"Memory, bytes."},"diskBytes":{"type":["integer","null"],"description":"Ephemeral storage, bytes; null: not declared."},"timeSeconds":{"type":["integer","null"],"description":"Wall-clock limit of the attempt, seconds (not admitted: enforced by the work manager); null: none."}},"required":["cpuMillicores","memBytes","diskBytes","timeSeconds"],"description":"Resources of one attempt, or a budget. Disk is not admitted locally (null: not declared)."};

function validate35(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((data.attempt === undefined) && (missing0 = "attempt")) || ((data.message === undefined) && (missing0 = "message"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.resources === undefined) && (missing0 = "resources"))) || ((data.retry === undefined) && (missing0 = "retry"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate35.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.reason !== undefined){
let data0 = data.reason;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate35.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((((((data0 === "oom") || (data0 === "disk")) || (data0 === "timeout")) || (data0 === "lost")) || (data0 === "undelivered")) || (data0 === "config")) || (data0 === "exit")) || (data0 === "cancelled"))){
validate35.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/enum",keyword:"enum",params:{allowedValues: schema32.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.message !== undefined){
const _errs4 = errors;
if(typeof data.message !== "string"){
validate35.errors = [{instancePath:instancePath+"/message",schemaPath:"#/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.resources !== undefined){
let data2 = data.resources;
const _errs6 = errors;
const _errs7 = errors;
if(errors === _errs7){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if(((((data2.cpuMillicores === undefined) && (missing1 = "cpuMillicores")) || ((data2.memBytes === undefined) && (missing1 = "memBytes"))) || ((data2.diskBytes === undefined) && (missing1 = "diskBytes"))) || ((data2.timeSeconds === undefined) && (missing1 = "timeSeconds"))){
validate35.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.cpuMillicores !== undefined){
let data3 = data2.cpuMillicores;
const _errs9 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate35.errors = [{instancePath:instancePath+"/resources/cpuMillicores",schemaPath:"#/definitions/Resources/properties/cpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid3 = _errs9 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.memBytes !== undefined){
let data4 = data2.memBytes;
const _errs11 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate35.errors = [{instancePath:instancePath+"/resources/memBytes",schemaPath:"#/definitions/Resources/properties/memBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid3 = _errs11 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.diskBytes !== undefined){
let data5 = data2.diskBytes;
const _errs13 = errors;
if((!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))) && (data5 !== null)){
validate35.errors = [{instancePath:instancePath+"/resources/diskBytes",schemaPath:"#/definitions/Resources/properties/diskBytes/type",keyword:"type",params:{type: schema40.properties.diskBytes.type},message:"must be integer,null"}];
return false;
}
var valid3 = _errs13 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.timeSeconds !== undefined){
let data6 = data2.timeSeconds;
const _errs15 = errors;
if((!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))) && (data6 !== null)){
validate35.errors = [{instancePath:instancePath+"/resources/timeSeconds",schemaPath:"#/definitions/Resources/properties/timeSeconds/type",keyword:"type",params:{type: schema40.properties.timeSeconds.type},message:"must be integer,null"}];
return false;
}
var valid3 = _errs15 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
else {
validate35.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retry !== undefined){
const _errs17 = errors;
if(!(validate26(data.retry, {instancePath:instancePath+"/retry",parentData:data,parentDataProperty:"retry",rootData}))){
vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
errors = vErrors.length;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs18 = errors;
if(typeof data.taskId !== "string"){
validate35.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs18 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs20 = errors;
if(typeof data.tool !== "string"){
validate35.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs20 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data10 = data.attempt;
const _errs22 = errors;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
validate35.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs22 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
else {
validate35.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate35.errors = vErrors;
return errors === 0;
}

export const v7 = validate37;
const schema41 = {"type":"object","properties":{"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["taskId","tool","attempt"],"description":"Identifies one attempt of one tool."};

function validate37(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.taskId === undefined) && (missing0 = "taskId")) || ((data.tool === undefined) && (missing0 = "tool"))) || ((data.attempt === undefined) && (missing0 = "attempt"))){
validate37.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
const _errs1 = errors;
if(typeof data.taskId !== "string"){
validate37.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs3 = errors;
if(typeof data.tool !== "string"){
validate37.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data2 = data.attempt;
const _errs5 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate37.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate37.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate37.errors = vErrors;
return errors === 0;
}

export const v8 = validate38;
const schema42 = {"type":"object","properties":{"exitCode":{"type":["integer","null"],"description":"Exit code, or null when killed by a signal or never started."},"signal":{"type":["string","null"],"description":"Signal name such as `SIGKILL`, or null."},"oomKilled":{"type":"boolean","description":"True when the kernel or the kubelet killed the tool for memory (cgroup oom_kill, `OOMKilled`)."},"oomKills":{"type":"integer","description":"Processes the kernel's OOM killer killed in the attempt (cgroup v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill`), also when the tool's shell then exited 0. Absent where no such counter exists (the `ulimit -v` fallback, kernels before 4.13, executors that do not count)."},"peakMemBytes":{"type":["integer","null"],"description":"Peak memory of the attempt, bytes, when measured: anonymous memory + shmem, page cache excluded (local executor with cgroups; at least the limit when the kernel OOM-killed the attempt)."},"cpuTimeMs":{"type":"integer","description":"User + system cpu time the attempt used, ms, when measured: the local executor reads its cgroup's `cpu.stat` (cgroup v2), else the rusage of the processes its shell waited for; the cluster's tool wrapper reads the container's cgroup (`cpu.stat` v2, `cpuacct.usage` v1). Absent: not measured (a cache hit, a launch error, a watchdog's verdict, no readable cgroup)."},"memLimitKind":{"type":"string","enum":["cgroup","rlimit"],"description":"How memory was limited: a cgroup (the kernel OOM-kills at the limit) or `ulimit -v` (address space per process)."},"diskFull":{"type":"object","properties":{"path":{"type":"string"},"freeBytes":{"type":"integer"},"totalBytes":{"type":"integer"},"freeInodes":{"type":["integer","null"]}},"required":["path","freeBytes","totalBytes","freeInodes"],"description":"The filesystem of the work dir (or of TMPDIR) was full when the failed attempt ended, or an executor's own write there failed with ENOSPC. `path` is its mount point; bytes are what the tool's user may still write (`freeInodes` null where the filesystem has no inode count)."},"stderrTail":{"type":"string","description":"Last bytes of stderr (at most 4 KiB)."},"missingOutputs":{"type":"array","items":{"type":"string"},"description":"Declared outputs that were missing after an exit code 0."},"watchdog":{"type":"string","enum":["lost","undelivered","timeout"],"description":"Set by the work manager's watchdog: no report came in time (`lost`, `undelivered`), or the attempt ran past its time limit (`timeout`)."},"launchError":{"type":"string","description":"Set when the executor could not launch the attempt at all (bad image, missing shell…)."},"evidence":{"type":"string","description":"What the decision was read from, for people, when it came from the platform rather than the tool's own exit (Kubernetes: `pod tf-…-a1: container tool terminated, reason OOMKilled, exit code 137`; `evicted: ephemeral-storage …`). Kept with the attempt (`tool_runs.evidence`)."},"outputs":{"type":"array","items":{"$ref":"#/definitions/OutputRecord"},"description":"The declared outputs of a succeeded attempt, each with its size and SHA-256 (kept as `tool_runs.outputs_json`)."},"cachedFrom":{"$ref":"#/definitions/AttemptRef","description":"Set when the attempt did not run: its outputs were reused from this earlier attempt with the same cache key."},"inputChanged":{"type":"string","description":"Set when an input the attempt was given changed while it ran (inputs are read-only to tools): which input, which file, and how, for people. The attempt fails (`config`), whatever its exit code."},"at":{"type":"integer","description":"When the attempt ended (or the watchdog gave up on it), epoch ms."},"resources":{"$ref":"#/definitions/Resources"},"retry":{"$ref":"#/definitions/RetryPolicy"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["at","attempt","exitCode","missingOutputs","oomKilled","peakMemBytes","resources","retry","signal","stderrTail","taskId","tool"]};
const schema43 = {"type":"object","properties":{"path":{"type":"string","description":"Relative to the attempt's work dir."},"bytes":{"type":"integer"},"sha256":{"type":"string","description":"SHA-256, lowercase hex."}},"required":["path","bytes","sha256"],"description":"One output file of an attempt, checksummed when the attempt was recorded."};

function validate38(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((((((((data.at === undefined) && (missing0 = "at")) || ((data.attempt === undefined) && (missing0 = "attempt"))) || ((data.exitCode === undefined) && (missing0 = "exitCode"))) || ((data.missingOutputs === undefined) && (missing0 = "missingOutputs"))) || ((data.oomKilled === undefined) && (missing0 = "oomKilled"))) || ((data.peakMemBytes === undefined) && (missing0 = "peakMemBytes"))) || ((data.resources === undefined) && (missing0 = "resources"))) || ((data.retry === undefined) && (missing0 = "retry"))) || ((data.signal === undefined) && (missing0 = "signal"))) || ((data.stderrTail === undefined) && (missing0 = "stderrTail"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate38.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.exitCode !== undefined){
let data0 = data.exitCode;
const _errs1 = errors;
if((!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))) && (data0 !== null)){
validate38.errors = [{instancePath:instancePath+"/exitCode",schemaPath:"#/properties/exitCode/type",keyword:"type",params:{type: schema42.properties.exitCode.type},message:"must be integer,null"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.signal !== undefined){
let data1 = data.signal;
const _errs3 = errors;
if((typeof data1 !== "string") && (data1 !== null)){
validate38.errors = [{instancePath:instancePath+"/signal",schemaPath:"#/properties/signal/type",keyword:"type",params:{type: schema42.properties.signal.type},message:"must be string,null"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.oomKilled !== undefined){
const _errs5 = errors;
if(typeof data.oomKilled !== "boolean"){
validate38.errors = [{instancePath:instancePath+"/oomKilled",schemaPath:"#/properties/oomKilled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.oomKills !== undefined){
let data3 = data.oomKills;
const _errs7 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate38.errors = [{instancePath:instancePath+"/oomKills",schemaPath:"#/properties/oomKills/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.peakMemBytes !== undefined){
let data4 = data.peakMemBytes;
const _errs9 = errors;
if((!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))) && (data4 !== null)){
validate38.errors = [{instancePath:instancePath+"/peakMemBytes",schemaPath:"#/properties/peakMemBytes/type",keyword:"type",params:{type: schema42.properties.peakMemBytes.type},message:"must be integer,null"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cpuTimeMs !== undefined){
let data5 = data.cpuTimeMs;
const _errs11 = errors;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
validate38.errors = [{instancePath:instancePath+"/cpuTimeMs",schemaPath:"#/properties/cpuTimeMs/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memLimitKind !== undefined){
let data6 = data.memLimitKind;
const _errs13 = errors;
if(typeof data6 !== "string"){
validate38.errors = [{instancePath:instancePath+"/memLimitKind",schemaPath:"#/properties/memLimitKind/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((data6 === "cgroup") || (data6 === "rlimit"))){
validate38.errors = [{instancePath:instancePath+"/memLimitKind",schemaPath:"#/properties/memLimitKind/enum",keyword:"enum",params:{allowedValues: schema42.properties.memLimitKind.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.diskFull !== undefined){
let data7 = data.diskFull;
const _errs15 = errors;
if(errors === _errs15){
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
let missing1;
if(((((data7.path === undefined) && (missing1 = "path")) || ((data7.freeBytes === undefined) && (missing1 = "freeBytes"))) || ((data7.totalBytes === undefined) && (missing1 = "totalBytes"))) || ((data7.freeInodes === undefined) && (missing1 = "freeInodes"))){
validate38.errors = [{instancePath:instancePath+"/diskFull",schemaPath:"#/properties/diskFull/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data7.path !== undefined){
const _errs17 = errors;
if(typeof data7.path !== "string"){
validate38.errors = [{instancePath:instancePath+"/diskFull/path",schemaPath:"#/properties/diskFull/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs17 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data7.freeBytes !== undefined){
let data9 = data7.freeBytes;
const _errs19 = errors;
if(!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))){
validate38.errors = [{instancePath:instancePath+"/diskFull/freeBytes",schemaPath:"#/properties/diskFull/properties/freeBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid1 = _errs19 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data7.totalBytes !== undefined){
let data10 = data7.totalBytes;
const _errs21 = errors;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
validate38.errors = [{instancePath:instancePath+"/diskFull/totalBytes",schemaPath:"#/properties/diskFull/properties/totalBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid1 = _errs21 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data7.freeInodes !== undefined){
let data11 = data7.freeInodes;
const _errs23 = errors;
if((!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))) && (data11 !== null)){
validate38.errors = [{instancePath:instancePath+"/diskFull/freeInodes",schemaPath:"#/properties/diskFull/properties/freeInodes/type",keyword:"type",params:{type: schema42.properties.diskFull.properties.freeInodes.type},message:"must be integer,null"}];
return false;
}
var valid1 = _errs23 === errors;
}
else {
var valid1 = true;
}
}
}
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/diskFull",schemaPath:"#/properties/diskFull/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.stderrTail !== undefined){
const _errs25 = errors;
if(typeof data.stderrTail !== "string"){
validate38.errors = [{instancePath:instancePath+"/stderrTail",schemaPath:"#/properties/stderrTail/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.missingOutputs !== undefined){
let data13 = data.missingOutputs;
const _errs27 = errors;
if(errors === _errs27){
if(Array.isArray(data13)){
var valid2 = true;
const len0 = data13.length;
for(let i0=0; i0<len0; i0++){
const _errs29 = errors;
if(typeof data13[i0] !== "string"){
validate38.errors = [{instancePath:instancePath+"/missingOutputs/" + i0,schemaPath:"#/properties/missingOutputs/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs29 === errors;
if(!valid2){
break;
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/missingOutputs",schemaPath:"#/properties/missingOutputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs27 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.watchdog !== undefined){
let data15 = data.watchdog;
const _errs31 = errors;
if(typeof data15 !== "string"){
validate38.errors = [{instancePath:instancePath+"/watchdog",schemaPath:"#/properties/watchdog/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data15 === "lost") || (data15 === "undelivered")) || (data15 === "timeout"))){
validate38.errors = [{instancePath:instancePath+"/watchdog",schemaPath:"#/properties/watchdog/enum",keyword:"enum",params:{allowedValues: schema42.properties.watchdog.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs31 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.launchError !== undefined){
const _errs33 = errors;
if(typeof data.launchError !== "string"){
validate38.errors = [{instancePath:instancePath+"/launchError",schemaPath:"#/properties/launchError/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs33 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.evidence !== undefined){
const _errs35 = errors;
if(typeof data.evidence !== "string"){
validate38.errors = [{instancePath:instancePath+"/evidence",schemaPath:"#/properties/evidence/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs35 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.outputs !== undefined){
let data18 = data.outputs;
const _errs37 = errors;
if(errors === _errs37){
if(Array.isArray(data18)){
var valid3 = true;
const len1 = data18.length;
for(let i1=0; i1<len1; i1++){
let data19 = data18[i1];
const _errs39 = errors;
const _errs40 = errors;
if(errors === _errs40){
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
let missing2;
if((((data19.path === undefined) && (missing2 = "path")) || ((data19.bytes === undefined) && (missing2 = "bytes"))) || ((data19.sha256 === undefined) && (missing2 = "sha256"))){
validate38.errors = [{instancePath:instancePath+"/outputs/" + i1,schemaPath:"#/definitions/OutputRecord/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"}];
return false;
}
else {
if(data19.path !== undefined){
const _errs42 = errors;
if(typeof data19.path !== "string"){
validate38.errors = [{instancePath:instancePath+"/outputs/" + i1+"/path",schemaPath:"#/definitions/OutputRecord/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid5 = _errs42 === errors;
}
else {
var valid5 = true;
}
if(valid5){
if(data19.bytes !== undefined){
let data21 = data19.bytes;
const _errs44 = errors;
if(!(((typeof data21 == "number") && (!(data21 % 1) && !isNaN(data21))) && (isFinite(data21)))){
validate38.errors = [{instancePath:instancePath+"/outputs/" + i1+"/bytes",schemaPath:"#/definitions/OutputRecord/properties/bytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid5 = _errs44 === errors;
}
else {
var valid5 = true;
}
if(valid5){
if(data19.sha256 !== undefined){
const _errs46 = errors;
if(typeof data19.sha256 !== "string"){
validate38.errors = [{instancePath:instancePath+"/outputs/" + i1+"/sha256",schemaPath:"#/definitions/OutputRecord/properties/sha256/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid5 = _errs46 === errors;
}
else {
var valid5 = true;
}
}
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/outputs/" + i1,schemaPath:"#/definitions/OutputRecord/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid3 = _errs39 === errors;
if(!valid3){
break;
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/outputs",schemaPath:"#/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs37 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cachedFrom !== undefined){
let data23 = data.cachedFrom;
const _errs48 = errors;
const _errs49 = errors;
if(errors === _errs49){
if(data23 && typeof data23 == "object" && !Array.isArray(data23)){
let missing3;
if((((data23.taskId === undefined) && (missing3 = "taskId")) || ((data23.tool === undefined) && (missing3 = "tool"))) || ((data23.attempt === undefined) && (missing3 = "attempt"))){
validate38.errors = [{instancePath:instancePath+"/cachedFrom",schemaPath:"#/definitions/AttemptRef/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"}];
return false;
}
else {
if(data23.taskId !== undefined){
const _errs51 = errors;
if(typeof data23.taskId !== "string"){
validate38.errors = [{instancePath:instancePath+"/cachedFrom/taskId",schemaPath:"#/definitions/AttemptRef/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid7 = _errs51 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data23.tool !== undefined){
const _errs53 = errors;
if(typeof data23.tool !== "string"){
validate38.errors = [{instancePath:instancePath+"/cachedFrom/tool",schemaPath:"#/definitions/AttemptRef/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid7 = _errs53 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data23.attempt !== undefined){
let data26 = data23.attempt;
const _errs55 = errors;
if(!(((typeof data26 == "number") && (!(data26 % 1) && !isNaN(data26))) && (isFinite(data26)))){
validate38.errors = [{instancePath:instancePath+"/cachedFrom/attempt",schemaPath:"#/definitions/AttemptRef/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid7 = _errs55 === errors;
}
else {
var valid7 = true;
}
}
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/cachedFrom",schemaPath:"#/definitions/AttemptRef/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs48 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.inputChanged !== undefined){
const _errs57 = errors;
if(typeof data.inputChanged !== "string"){
validate38.errors = [{instancePath:instancePath+"/inputChanged",schemaPath:"#/properties/inputChanged/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs57 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.at !== undefined){
let data28 = data.at;
const _errs59 = errors;
if(!(((typeof data28 == "number") && (!(data28 % 1) && !isNaN(data28))) && (isFinite(data28)))){
validate38.errors = [{instancePath:instancePath+"/at",schemaPath:"#/properties/at/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs59 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.resources !== undefined){
let data29 = data.resources;
const _errs61 = errors;
const _errs62 = errors;
if(errors === _errs62){
if(data29 && typeof data29 == "object" && !Array.isArray(data29)){
let missing4;
if(((((data29.cpuMillicores === undefined) && (missing4 = "cpuMillicores")) || ((data29.memBytes === undefined) && (missing4 = "memBytes"))) || ((data29.diskBytes === undefined) && (missing4 = "diskBytes"))) || ((data29.timeSeconds === undefined) && (missing4 = "timeSeconds"))){
validate38.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/required",keyword:"required",params:{missingProperty: missing4},message:"must have required property '"+missing4+"'"}];
return false;
}
else {
if(data29.cpuMillicores !== undefined){
let data30 = data29.cpuMillicores;
const _errs64 = errors;
if(!(((typeof data30 == "number") && (!(data30 % 1) && !isNaN(data30))) && (isFinite(data30)))){
validate38.errors = [{instancePath:instancePath+"/resources/cpuMillicores",schemaPath:"#/definitions/Resources/properties/cpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid9 = _errs64 === errors;
}
else {
var valid9 = true;
}
if(valid9){
if(data29.memBytes !== undefined){
let data31 = data29.memBytes;
const _errs66 = errors;
if(!(((typeof data31 == "number") && (!(data31 % 1) && !isNaN(data31))) && (isFinite(data31)))){
validate38.errors = [{instancePath:instancePath+"/resources/memBytes",schemaPath:"#/definitions/Resources/properties/memBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid9 = _errs66 === errors;
}
else {
var valid9 = true;
}
if(valid9){
if(data29.diskBytes !== undefined){
let data32 = data29.diskBytes;
const _errs68 = errors;
if((!(((typeof data32 == "number") && (!(data32 % 1) && !isNaN(data32))) && (isFinite(data32)))) && (data32 !== null)){
validate38.errors = [{instancePath:instancePath+"/resources/diskBytes",schemaPath:"#/definitions/Resources/properties/diskBytes/type",keyword:"type",params:{type: schema40.properties.diskBytes.type},message:"must be integer,null"}];
return false;
}
var valid9 = _errs68 === errors;
}
else {
var valid9 = true;
}
if(valid9){
if(data29.timeSeconds !== undefined){
let data33 = data29.timeSeconds;
const _errs70 = errors;
if((!(((typeof data33 == "number") && (!(data33 % 1) && !isNaN(data33))) && (isFinite(data33)))) && (data33 !== null)){
validate38.errors = [{instancePath:instancePath+"/resources/timeSeconds",schemaPath:"#/definitions/Resources/properties/timeSeconds/type",keyword:"type",params:{type: schema40.properties.timeSeconds.type},message:"must be integer,null"}];
return false;
}
var valid9 = _errs70 === errors;
}
else {
var valid9 = true;
}
}
}
}
}
}
else {
validate38.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs61 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retry !== undefined){
const _errs72 = errors;
if(!(validate26(data.retry, {instancePath:instancePath+"/retry",parentData:data,parentDataProperty:"retry",rootData}))){
vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
errors = vErrors.length;
}
var valid0 = _errs72 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs73 = errors;
if(typeof data.taskId !== "string"){
validate38.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs73 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs75 = errors;
if(typeof data.tool !== "string"){
validate38.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs75 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data37 = data.attempt;
const _errs77 = errors;
if(!(((typeof data37 == "number") && (!(data37 % 1) && !isNaN(data37))) && (isFinite(data37)))){
validate38.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs77 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate38.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate38.errors = vErrors;
return errors === 0;
}

export const v9 = validate40;
const schema46 = {"type":"object","properties":{"reason":{"$ref":"#/definitions/FailureReason"},"message":{"type":"string"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["attempt","message","reason","taskId","tool"]};

function validate40(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((data.attempt === undefined) && (missing0 = "attempt")) || ((data.message === undefined) && (missing0 = "message"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate40.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.reason !== undefined){
let data0 = data.reason;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate40.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((((((data0 === "oom") || (data0 === "disk")) || (data0 === "timeout")) || (data0 === "lost")) || (data0 === "undelivered")) || (data0 === "config")) || (data0 === "exit")) || (data0 === "cancelled"))){
validate40.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/enum",keyword:"enum",params:{allowedValues: schema32.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.message !== undefined){
const _errs4 = errors;
if(typeof data.message !== "string"){
validate40.errors = [{instancePath:instancePath+"/message",schemaPath:"#/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs6 = errors;
if(typeof data.taskId !== "string"){
validate40.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs8 = errors;
if(typeof data.tool !== "string"){
validate40.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data4 = data.attempt;
const _errs10 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate40.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
else {
validate40.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate40.errors = vErrors;
return errors === 0;
}

export const v10 = validate41;
const schema48 = {"type":"object","properties":{"at":{"type":"integer","description":"When the report was made, epoch ms."},"memBytes":{"type":["integer","null"],"description":"Memory in use, bytes (page cache excluded); null when not measured."},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["at","attempt","memBytes","taskId","tool"]};

function validate41(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((data.at === undefined) && (missing0 = "at")) || ((data.attempt === undefined) && (missing0 = "attempt"))) || ((data.memBytes === undefined) && (missing0 = "memBytes"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate41.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.at !== undefined){
let data0 = data.at;
const _errs1 = errors;
if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){
validate41.errors = [{instancePath:instancePath+"/at",schemaPath:"#/properties/at/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memBytes !== undefined){
let data1 = data.memBytes;
const _errs3 = errors;
if((!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))) && (data1 !== null)){
validate41.errors = [{instancePath:instancePath+"/memBytes",schemaPath:"#/properties/memBytes/type",keyword:"type",params:{type: schema48.properties.memBytes.type},message:"must be integer,null"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs5 = errors;
if(typeof data.taskId !== "string"){
validate41.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs7 = errors;
if(typeof data.tool !== "string"){
validate41.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data4 = data.attempt;
const _errs9 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate41.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
else {
validate41.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate41.errors = vErrors;
return errors === 0;
}

export const v11 = validate42;
const schema49 = {"type":"object","properties":{"owner":{"type":"string"},"spec":{"type":"object","properties":{"passEnv":{"type":"array","items":{"type":"string"},"description":"Names of variables passed through from toolflow's environment when set (the workflow's `envvars`, then the tool's own, without duplicates, as Snakemake's `envvars` directive): `LD_LIBRARY_PATH`, `CONDA_PREFIX`… Each is a shell identifier, never `TF_*`, `TOOLFLOW_*`, `AWS_*` or a name containing SECRET, PASSWORD, TOKEN or CREDENTIAL (refused by the loader), and never a name the tool's `env` sets (that value wins)."},"bindings":{"type":"array","items":{"$ref":"#/definitions/Binding"},"description":"On a planned tool: its environment from items and dependencies (absent on templates and on tasks stored before issue 10)."},"instance":{"$ref":"#/definitions/InstanceOf","description":"On an instance of a scattered tool: where it came from."},"name":{"type":"string"},"cmds":{"type":"array","items":{"type":"string"}},"env":{"type":"object","additionalProperties":{"type":"string"},"description":"Extra environment variables, passed literally."},"outputs":{"type":"array","items":{"type":"string"},"description":"Files (relative to the tool's work dir) that must exist when the tool exits 0: every declared output, the named ones included (on a template, named paths may hold `{column}` placeholders; on an instance they are resolved)."},"image":{"type":["string","null"],"description":"Container image for cluster mode; null when not given."}},"required":["cmds","env","image","name","outputs"]},"values":{"type":"object","additionalProperties":{"$ref":"#/definitions/OptionValue"}},"workRoot":{"type":"string","description":"Folder holding the task's work dirs, as recorded on the task when it was submitted (local executor: `<workRoot>/<task>/<tool>/attempt-<n>/`); absent: the executor's own default."},"inputs":{"type":"object","additionalProperties":{"$ref":"#/definitions/StoredInput"}},"noCache":{"type":"boolean","description":"True: the cache is not consulted (`--no-cache`)."},"deps":{"type":"array","items":{"type":"object","properties":{"tool":{"type":"string"},"attempt":{"type":"integer"}},"required":["tool","attempt"]},"description":"The succeeded attempt of each dependency, and of every tool the bindings reference."},"resources":{"$ref":"#/definitions/Resources"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["attempt","deps","inputs","owner","resources","spec","taskId","tool","values"]};

function validate42(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((((data.attempt === undefined) && (missing0 = "attempt")) || ((data.deps === undefined) && (missing0 = "deps"))) || ((data.inputs === undefined) && (missing0 = "inputs"))) || ((data.owner === undefined) && (missing0 = "owner"))) || ((data.resources === undefined) && (missing0 = "resources"))) || ((data.spec === undefined) && (missing0 = "spec"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))) || ((data.values === undefined) && (missing0 = "values"))){
validate42.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.owner !== undefined){
const _errs1 = errors;
if(typeof data.owner !== "string"){
validate42.errors = [{instancePath:instancePath+"/owner",schemaPath:"#/properties/owner/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.spec !== undefined){
let data1 = data.spec;
const _errs3 = errors;
if(errors === _errs3){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
let missing1;
if((((((data1.cmds === undefined) && (missing1 = "cmds")) || ((data1.env === undefined) && (missing1 = "env"))) || ((data1.image === undefined) && (missing1 = "image"))) || ((data1.name === undefined) && (missing1 = "name"))) || ((data1.outputs === undefined) && (missing1 = "outputs"))){
validate42.errors = [{instancePath:instancePath+"/spec",schemaPath:"#/properties/spec/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data1.passEnv !== undefined){
let data2 = data1.passEnv;
const _errs5 = errors;
if(errors === _errs5){
if(Array.isArray(data2)){
var valid2 = true;
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
const _errs7 = errors;
if(typeof data2[i0] !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/passEnv/" + i0,schemaPath:"#/properties/spec/properties/passEnv/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs7 === errors;
if(!valid2){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/passEnv",schemaPath:"#/properties/spec/properties/passEnv/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid1 = _errs5 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.bindings !== undefined){
let data4 = data1.bindings;
const _errs9 = errors;
if(errors === _errs9){
if(Array.isArray(data4)){
var valid3 = true;
const len1 = data4.length;
for(let i1=0; i1<len1; i1++){
let data5 = data4[i1];
const _errs11 = errors;
const _errs13 = errors;
let valid5 = false;
const _errs14 = errors;
if(errors === _errs14){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing2;
if(((data5.env === undefined) && (missing2 = "env")) || ((data5.value === undefined) && (missing2 = "value"))){
const err0 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/0/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
else {
if(data5.env !== undefined){
const _errs16 = errors;
if(typeof data5.env !== "string"){
const err1 = {instancePath:instancePath+"/spec/bindings/" + i1+"/env",schemaPath:"#/definitions/Binding/anyOf/0/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var valid6 = _errs16 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data5.value !== undefined){
const _errs18 = errors;
if(typeof data5.value !== "string"){
const err2 = {instancePath:instancePath+"/spec/bindings/" + i1+"/value",schemaPath:"#/definitions/Binding/anyOf/0/properties/value/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
var valid6 = _errs18 === errors;
}
else {
var valid6 = true;
}
}
}
}
else {
const err3 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
var _valid0 = _errs14 === errors;
valid5 = valid5 || _valid0;
if(!valid5){
const _errs20 = errors;
if(errors === _errs20){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing3;
if(((data5.env === undefined) && (missing3 = "env")) || ((data5.input === undefined) && (missing3 = "input"))){
const err4 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/1/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
else {
if(data5.env !== undefined){
const _errs22 = errors;
if(typeof data5.env !== "string"){
const err5 = {instancePath:instancePath+"/spec/bindings/" + i1+"/env",schemaPath:"#/definitions/Binding/anyOf/1/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
var valid7 = _errs22 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data5.input !== undefined){
const _errs24 = errors;
if(typeof data5.input !== "string"){
const err6 = {instancePath:instancePath+"/spec/bindings/" + i1+"/input",schemaPath:"#/definitions/Binding/anyOf/1/properties/input/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
var valid7 = _errs24 === errors;
}
else {
var valid7 = true;
}
}
}
}
else {
const err7 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/1/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
var _valid0 = _errs20 === errors;
valid5 = valid5 || _valid0;
if(!valid5){
const _errs26 = errors;
if(errors === _errs26){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing4;
if(((data5.env === undefined) && (missing4 = "env")) || ((data5.dir === undefined) && (missing4 = "dir"))){
const err8 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/2/required",keyword:"required",params:{missingProperty: missing4},message:"must have required property '"+missing4+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
else {
if(data5.env !== undefined){
const _errs28 = errors;
if(typeof data5.env !== "string"){
const err9 = {instancePath:instancePath+"/spec/bindings/" + i1+"/env",schemaPath:"#/definitions/Binding/anyOf/2/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
var valid8 = _errs28 === errors;
}
else {
var valid8 = true;
}
if(valid8){
if(data5.dir !== undefined){
const _errs30 = errors;
if(typeof data5.dir !== "string"){
const err10 = {instancePath:instancePath+"/spec/bindings/" + i1+"/dir",schemaPath:"#/definitions/Binding/anyOf/2/properties/dir/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
var valid8 = _errs30 === errors;
}
else {
var valid8 = true;
}
}
}
}
else {
const err11 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/2/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
var _valid0 = _errs26 === errors;
valid5 = valid5 || _valid0;
if(!valid5){
const _errs32 = errors;
if(errors === _errs32){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing5;
if(((data5.env === undefined) && (missing5 = "env")) || ((data5.outputs === undefined) && (missing5 = "outputs"))){
const err12 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/3/required",keyword:"required",params:{missingProperty: missing5},message:"must have required property '"+missing5+"'"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
else {
if(data5.env !== undefined){
const _errs34 = errors;
if(typeof data5.env !== "string"){
const err13 = {instancePath:instancePath+"/spec/bindings/" + i1+"/env",schemaPath:"#/definitions/Binding/anyOf/3/properties/env/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
var valid9 = _errs34 === errors;
}
else {
var valid9 = true;
}
if(valid9){
if(data5.outputs !== undefined){
let data13 = data5.outputs;
const _errs36 = errors;
if(errors === _errs36){
if(Array.isArray(data13)){
var valid10 = true;
const len2 = data13.length;
for(let i2=0; i2<len2; i2++){
let data14 = data13[i2];
const _errs38 = errors;
if(errors === _errs38){
if(data14 && typeof data14 == "object" && !Array.isArray(data14)){
let missing6;
if(((data14.tool === undefined) && (missing6 = "tool")) || ((data14.path === undefined) && (missing6 = "path"))){
const err14 = {instancePath:instancePath+"/spec/bindings/" + i1+"/outputs/" + i2,schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/required",keyword:"required",params:{missingProperty: missing6},message:"must have required property '"+missing6+"'"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
else {
if(data14.tool !== undefined){
const _errs40 = errors;
if(typeof data14.tool !== "string"){
const err15 = {instancePath:instancePath+"/spec/bindings/" + i1+"/outputs/" + i2+"/tool",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
var valid11 = _errs40 === errors;
}
else {
var valid11 = true;
}
if(valid11){
if(data14.path !== undefined){
const _errs42 = errors;
if(typeof data14.path !== "string"){
const err16 = {instancePath:instancePath+"/spec/bindings/" + i1+"/outputs/" + i2+"/path",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
var valid11 = _errs42 === errors;
}
else {
var valid11 = true;
}
}
}
}
else {
const err17 = {instancePath:instancePath+"/spec/bindings/" + i1+"/outputs/" + i2,schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/items/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
var valid10 = _errs38 === errors;
if(!valid10){
break;
}
}
}
else {
const err18 = {instancePath:instancePath+"/spec/bindings/" + i1+"/outputs",schemaPath:"#/definitions/Binding/anyOf/3/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
var valid9 = _errs36 === errors;
}
else {
var valid9 = true;
}
}
}
}
else {
const err19 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf/3/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
var _valid0 = _errs32 === errors;
valid5 = valid5 || _valid0;
}
}
}
if(!valid5){
const err20 = {instancePath:instancePath+"/spec/bindings/" + i1,schemaPath:"#/definitions/Binding/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
validate42.errors = vErrors;
return false;
}
else {
errors = _errs13;
if(vErrors !== null){
if(_errs13){
vErrors.length = _errs13;
}
else {
vErrors = null;
}
}
}
var valid3 = _errs11 === errors;
if(!valid3){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/bindings",schemaPath:"#/properties/spec/properties/bindings/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid1 = _errs9 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.instance !== undefined){
let data17 = data1.instance;
const _errs44 = errors;
const _errs45 = errors;
if(errors === _errs45){
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
let missing7;
if(((((data17.tool === undefined) && (missing7 = "tool")) || ((data17.input === undefined) && (missing7 = "input"))) || ((data17.key === undefined) && (missing7 = "key"))) || ((data17.index === undefined) && (missing7 = "index"))){
validate42.errors = [{instancePath:instancePath+"/spec/instance",schemaPath:"#/definitions/InstanceOf/required",keyword:"required",params:{missingProperty: missing7},message:"must have required property '"+missing7+"'"}];
return false;
}
else {
if(data17.tool !== undefined){
const _errs47 = errors;
if(typeof data17.tool !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/instance/tool",schemaPath:"#/definitions/InstanceOf/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid13 = _errs47 === errors;
}
else {
var valid13 = true;
}
if(valid13){
if(data17.input !== undefined){
const _errs49 = errors;
if(typeof data17.input !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/instance/input",schemaPath:"#/definitions/InstanceOf/properties/input/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid13 = _errs49 === errors;
}
else {
var valid13 = true;
}
if(valid13){
if(data17.key !== undefined){
const _errs51 = errors;
if(typeof data17.key !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/instance/key",schemaPath:"#/definitions/InstanceOf/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid13 = _errs51 === errors;
}
else {
var valid13 = true;
}
if(valid13){
if(data17.index !== undefined){
let data21 = data17.index;
const _errs53 = errors;
if(!(((typeof data21 == "number") && (!(data21 % 1) && !isNaN(data21))) && (isFinite(data21)))){
validate42.errors = [{instancePath:instancePath+"/spec/instance/index",schemaPath:"#/definitions/InstanceOf/properties/index/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid13 = _errs53 === errors;
}
else {
var valid13 = true;
}
}
}
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/instance",schemaPath:"#/definitions/InstanceOf/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs44 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.name !== undefined){
const _errs55 = errors;
if(typeof data1.name !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/name",schemaPath:"#/properties/spec/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs55 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.cmds !== undefined){
let data23 = data1.cmds;
const _errs57 = errors;
if(errors === _errs57){
if(Array.isArray(data23)){
var valid14 = true;
const len3 = data23.length;
for(let i3=0; i3<len3; i3++){
const _errs59 = errors;
if(typeof data23[i3] !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/cmds/" + i3,schemaPath:"#/properties/spec/properties/cmds/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid14 = _errs59 === errors;
if(!valid14){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/cmds",schemaPath:"#/properties/spec/properties/cmds/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid1 = _errs57 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.env !== undefined){
let data25 = data1.env;
const _errs61 = errors;
if(errors === _errs61){
if(data25 && typeof data25 == "object" && !Array.isArray(data25)){
for(let key0 in data25){
const _errs64 = errors;
if(typeof data25[key0] !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/env/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/spec/properties/env/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid15 = _errs64 === errors;
if(!valid15){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/env",schemaPath:"#/properties/spec/properties/env/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs61 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.outputs !== undefined){
let data27 = data1.outputs;
const _errs66 = errors;
if(errors === _errs66){
if(Array.isArray(data27)){
var valid16 = true;
const len4 = data27.length;
for(let i4=0; i4<len4; i4++){
const _errs68 = errors;
if(typeof data27[i4] !== "string"){
validate42.errors = [{instancePath:instancePath+"/spec/outputs/" + i4,schemaPath:"#/properties/spec/properties/outputs/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid16 = _errs68 === errors;
if(!valid16){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec/outputs",schemaPath:"#/properties/spec/properties/outputs/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid1 = _errs66 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data1.image !== undefined){
let data29 = data1.image;
const _errs70 = errors;
if((typeof data29 !== "string") && (data29 !== null)){
validate42.errors = [{instancePath:instancePath+"/spec/image",schemaPath:"#/properties/spec/properties/image/type",keyword:"type",params:{type: schema49.properties.spec.properties.image.type},message:"must be string,null"}];
return false;
}
var valid1 = _errs70 === errors;
}
else {
var valid1 = true;
}
}
}
}
}
}
}
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/spec",schemaPath:"#/properties/spec/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.values !== undefined){
let data30 = data.values;
const _errs72 = errors;
if(errors === _errs72){
if(data30 && typeof data30 == "object" && !Array.isArray(data30)){
for(let key1 in data30){
let data31 = data30[key1];
const _errs75 = errors;
if(((typeof data31 !== "string") && (!((typeof data31 == "number") && (isFinite(data31))))) && (typeof data31 !== "boolean")){
validate42.errors = [{instancePath:instancePath+"/values/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/OptionValue/type",keyword:"type",params:{type: schema29.type},message:"must be string,number,boolean"}];
return false;
}
var valid17 = _errs75 === errors;
if(!valid17){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/values",schemaPath:"#/properties/values/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs72 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.workRoot !== undefined){
const _errs78 = errors;
if(typeof data.workRoot !== "string"){
validate42.errors = [{instancePath:instancePath+"/workRoot",schemaPath:"#/properties/workRoot/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs78 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.inputs !== undefined){
let data33 = data.inputs;
const _errs80 = errors;
if(errors === _errs80){
if(data33 && typeof data33 == "object" && !Array.isArray(data33)){
for(let key2 in data33){
const _errs83 = errors;
if(!(validate32(data33[key2], {instancePath:instancePath+"/inputs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data33,parentDataProperty:key2,rootData}))){
vErrors = vErrors === null ? validate32.errors : vErrors.concat(validate32.errors);
errors = vErrors.length;
}
var valid19 = _errs83 === errors;
if(!valid19){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/inputs",schemaPath:"#/properties/inputs/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs80 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.noCache !== undefined){
const _errs84 = errors;
if(typeof data.noCache !== "boolean"){
validate42.errors = [{instancePath:instancePath+"/noCache",schemaPath:"#/properties/noCache/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs84 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.deps !== undefined){
let data36 = data.deps;
const _errs86 = errors;
if(errors === _errs86){
if(Array.isArray(data36)){
var valid20 = true;
const len5 = data36.length;
for(let i5=0; i5<len5; i5++){
let data37 = data36[i5];
const _errs88 = errors;
if(errors === _errs88){
if(data37 && typeof data37 == "object" && !Array.isArray(data37)){
let missing8;
if(((data37.tool === undefined) && (missing8 = "tool")) || ((data37.attempt === undefined) && (missing8 = "attempt"))){
validate42.errors = [{instancePath:instancePath+"/deps/" + i5,schemaPath:"#/properties/deps/items/required",keyword:"required",params:{missingProperty: missing8},message:"must have required property '"+missing8+"'"}];
return false;
}
else {
if(data37.tool !== undefined){
const _errs90 = errors;
if(typeof data37.tool !== "string"){
validate42.errors = [{instancePath:instancePath+"/deps/" + i5+"/tool",schemaPath:"#/properties/deps/items/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid21 = _errs90 === errors;
}
else {
var valid21 = true;
}
if(valid21){
if(data37.attempt !== undefined){
let data39 = data37.attempt;
const _errs92 = errors;
if(!(((typeof data39 == "number") && (!(data39 % 1) && !isNaN(data39))) && (isFinite(data39)))){
validate42.errors = [{instancePath:instancePath+"/deps/" + i5+"/attempt",schemaPath:"#/properties/deps/items/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid21 = _errs92 === errors;
}
else {
var valid21 = true;
}
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/deps/" + i5,schemaPath:"#/properties/deps/items/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid20 = _errs88 === errors;
if(!valid20){
break;
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/deps",schemaPath:"#/properties/deps/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs86 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.resources !== undefined){
let data40 = data.resources;
const _errs94 = errors;
const _errs95 = errors;
if(errors === _errs95){
if(data40 && typeof data40 == "object" && !Array.isArray(data40)){
let missing9;
if(((((data40.cpuMillicores === undefined) && (missing9 = "cpuMillicores")) || ((data40.memBytes === undefined) && (missing9 = "memBytes"))) || ((data40.diskBytes === undefined) && (missing9 = "diskBytes"))) || ((data40.timeSeconds === undefined) && (missing9 = "timeSeconds"))){
validate42.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/required",keyword:"required",params:{missingProperty: missing9},message:"must have required property '"+missing9+"'"}];
return false;
}
else {
if(data40.cpuMillicores !== undefined){
let data41 = data40.cpuMillicores;
const _errs97 = errors;
if(!(((typeof data41 == "number") && (!(data41 % 1) && !isNaN(data41))) && (isFinite(data41)))){
validate42.errors = [{instancePath:instancePath+"/resources/cpuMillicores",schemaPath:"#/definitions/Resources/properties/cpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid23 = _errs97 === errors;
}
else {
var valid23 = true;
}
if(valid23){
if(data40.memBytes !== undefined){
let data42 = data40.memBytes;
const _errs99 = errors;
if(!(((typeof data42 == "number") && (!(data42 % 1) && !isNaN(data42))) && (isFinite(data42)))){
validate42.errors = [{instancePath:instancePath+"/resources/memBytes",schemaPath:"#/definitions/Resources/properties/memBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid23 = _errs99 === errors;
}
else {
var valid23 = true;
}
if(valid23){
if(data40.diskBytes !== undefined){
let data43 = data40.diskBytes;
const _errs101 = errors;
if((!(((typeof data43 == "number") && (!(data43 % 1) && !isNaN(data43))) && (isFinite(data43)))) && (data43 !== null)){
validate42.errors = [{instancePath:instancePath+"/resources/diskBytes",schemaPath:"#/definitions/Resources/properties/diskBytes/type",keyword:"type",params:{type: schema40.properties.diskBytes.type},message:"must be integer,null"}];
return false;
}
var valid23 = _errs101 === errors;
}
else {
var valid23 = true;
}
if(valid23){
if(data40.timeSeconds !== undefined){
let data44 = data40.timeSeconds;
const _errs103 = errors;
if((!(((typeof data44 == "number") && (!(data44 % 1) && !isNaN(data44))) && (isFinite(data44)))) && (data44 !== null)){
validate42.errors = [{instancePath:instancePath+"/resources/timeSeconds",schemaPath:"#/definitions/Resources/properties/timeSeconds/type",keyword:"type",params:{type: schema40.properties.timeSeconds.type},message:"must be integer,null"}];
return false;
}
var valid23 = _errs103 === errors;
}
else {
var valid23 = true;
}
}
}
}
}
}
else {
validate42.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs94 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs105 = errors;
if(typeof data.taskId !== "string"){
validate42.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs105 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs107 = errors;
if(typeof data.tool !== "string"){
validate42.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs107 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data47 = data.attempt;
const _errs109 = errors;
if(!(((typeof data47 == "number") && (!(data47 % 1) && !isNaN(data47))) && (isFinite(data47)))){
validate42.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs109 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate42.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate42.errors = vErrors;
return errors === 0;
}

export const v12 = validate44;
const schema54 = {"type":"object","properties":{"reason":{"$ref":"#/definitions/FailureReason"},"resources":{"$ref":"#/definitions/Resources"},"previous":{"type":"string"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["attempt","previous","reason","resources","taskId","tool"]};

function validate44(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.attempt === undefined) && (missing0 = "attempt")) || ((data.previous === undefined) && (missing0 = "previous"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.resources === undefined) && (missing0 = "resources"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate44.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.reason !== undefined){
let data0 = data.reason;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate44.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((((((data0 === "oom") || (data0 === "disk")) || (data0 === "timeout")) || (data0 === "lost")) || (data0 === "undelivered")) || (data0 === "config")) || (data0 === "exit")) || (data0 === "cancelled"))){
validate44.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/definitions/FailureReason/enum",keyword:"enum",params:{allowedValues: schema32.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.resources !== undefined){
let data1 = data.resources;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
let missing1;
if(((((data1.cpuMillicores === undefined) && (missing1 = "cpuMillicores")) || ((data1.memBytes === undefined) && (missing1 = "memBytes"))) || ((data1.diskBytes === undefined) && (missing1 = "diskBytes"))) || ((data1.timeSeconds === undefined) && (missing1 = "timeSeconds"))){
validate44.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data1.cpuMillicores !== undefined){
let data2 = data1.cpuMillicores;
const _errs7 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate44.errors = [{instancePath:instancePath+"/resources/cpuMillicores",schemaPath:"#/definitions/Resources/properties/cpuMillicores/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid3 = _errs7 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.memBytes !== undefined){
let data3 = data1.memBytes;
const _errs9 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate44.errors = [{instancePath:instancePath+"/resources/memBytes",schemaPath:"#/definitions/Resources/properties/memBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid3 = _errs9 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.diskBytes !== undefined){
let data4 = data1.diskBytes;
const _errs11 = errors;
if((!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))) && (data4 !== null)){
validate44.errors = [{instancePath:instancePath+"/resources/diskBytes",schemaPath:"#/definitions/Resources/properties/diskBytes/type",keyword:"type",params:{type: schema40.properties.diskBytes.type},message:"must be integer,null"}];
return false;
}
var valid3 = _errs11 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.timeSeconds !== undefined){
let data5 = data1.timeSeconds;
const _errs13 = errors;
if((!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))) && (data5 !== null)){
validate44.errors = [{instancePath:instancePath+"/resources/timeSeconds",schemaPath:"#/definitions/Resources/properties/timeSeconds/type",keyword:"type",params:{type: schema40.properties.timeSeconds.type},message:"must be integer,null"}];
return false;
}
var valid3 = _errs13 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
else {
validate44.errors = [{instancePath:instancePath+"/resources",schemaPath:"#/definitions/Resources/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.previous !== undefined){
const _errs15 = errors;
if(typeof data.previous !== "string"){
validate44.errors = [{instancePath:instancePath+"/previous",schemaPath:"#/properties/previous/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs17 = errors;
if(typeof data.taskId !== "string"){
validate44.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs19 = errors;
if(typeof data.tool !== "string"){
validate44.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs19 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data9 = data.attempt;
const _errs21 = errors;
if(!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))){
validate44.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate44.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate44.errors = vErrors;
return errors === 0;
}

export const v13 = validate45;
const schema57 = {"type":"object","properties":{"because":{"type":"string"},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["attempt","because","taskId","tool"]};

function validate45(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.attempt === undefined) && (missing0 = "attempt")) || ((data.because === undefined) && (missing0 = "because"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate45.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.because !== undefined){
const _errs1 = errors;
if(typeof data.because !== "string"){
validate45.errors = [{instancePath:instancePath+"/because",schemaPath:"#/properties/because/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs3 = errors;
if(typeof data.taskId !== "string"){
validate45.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs5 = errors;
if(typeof data.tool !== "string"){
validate45.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data3 = data.attempt;
const _errs7 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate45.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate45.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate45.errors = vErrors;
return errors === 0;
}

export const v14 = validate46;
const schema58 = {"type":"object","properties":{"at":{"type":"integer","description":"When the attempt started, epoch ms."},"taskId":{"type":"string"},"tool":{"type":"string"},"attempt":{"type":"integer","description":"1-based attempt number."}},"required":["at","attempt","taskId","tool"]};

function validate46(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.at === undefined) && (missing0 = "at")) || ((data.attempt === undefined) && (missing0 = "attempt"))) || ((data.taskId === undefined) && (missing0 = "taskId"))) || ((data.tool === undefined) && (missing0 = "tool"))){
validate46.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.at !== undefined){
let data0 = data.at;
const _errs1 = errors;
if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){
validate46.errors = [{instancePath:instancePath+"/at",schemaPath:"#/properties/at/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.taskId !== undefined){
const _errs3 = errors;
if(typeof data.taskId !== "string"){
validate46.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs5 = errors;
if(typeof data.tool !== "string"){
validate46.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data3 = data.attempt;
const _errs7 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate46.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate46.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate46.errors = vErrors;
return errors === 0;
}

export const v15 = validate47;

function validate47(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.taskId === undefined) && (missing0 = "taskId")) || ((data.tool === undefined) && (missing0 = "tool"))) || ((data.attempt === undefined) && (missing0 = "attempt"))){
validate47.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.taskId !== undefined){
const _errs1 = errors;
if(typeof data.taskId !== "string"){
validate47.errors = [{instancePath:instancePath+"/taskId",schemaPath:"#/properties/taskId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tool !== undefined){
const _errs3 = errors;
if(typeof data.tool !== "string"){
validate47.errors = [{instancePath:instancePath+"/tool",schemaPath:"#/properties/tool/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.attempt !== undefined){
let data2 = data.attempt;
const _errs5 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate47.errors = [{instancePath:instancePath+"/attempt",schemaPath:"#/properties/attempt/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate47.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate47.errors = vErrors;
return errors === 0;
}
export const VALIDATORS = { "io.toolflow.task.cancelled": v0, "io.toolflow.task.failed": v1, "io.toolflow.task.queued": v2, "io.toolflow.task.started": v3, "io.toolflow.task.submitted": v4, "io.toolflow.task.succeeded": v5, "io.toolflow.tool.attempt.failed": v6, "io.toolflow.tool.cancelled": v7, "io.toolflow.tool.exited": v8, "io.toolflow.tool.failed": v9, "io.toolflow.tool.keepalive": v10, "io.toolflow.tool.ready": v11, "io.toolflow.tool.retrying": v12, "io.toolflow.tool.skipped": v13, "io.toolflow.tool.started": v14, "io.toolflow.tool.succeeded": v15 };
