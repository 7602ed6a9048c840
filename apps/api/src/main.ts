import { hello } from '@crm/domain';
console.log(hello('x'));
